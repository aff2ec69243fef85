-- The queue claim goes subscription by subscription (DeliveryClaim): it steps from one subscription with
-- queued deliveries to the next, and takes each one's oldest due rows up to its free in-flight slots.
-- Both steps read this index: the next subscription is one descent, its due rows the first entries
-- under it. Along delivery_due alone (due order), one subscription's backlog stood in front of all others.
create index delivery_subscription_due on delivery (subscription_id, due_at) where status = 'queued';

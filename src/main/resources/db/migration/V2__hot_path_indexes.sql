-- Publishing an event fans it out to the org's live, active subscriptions of its type. Without an index
-- that meant reading every live subscription of the org (a million in the benchmark's large case).
-- The keys "<org id> <event type>" of a subscription, indexed with GIN, find exactly the matching rows
-- of one org, however many other orgs listen to the same type names (no btree_gin extension needed).
create function subscription_event_keys(org_id uuid, events text[]) returns text[]
    language sql immutable parallel safe
    return array(select org_id::text || ' ' || e from unnest(events) e);

create index subscription_event_keys_live on subscription using gin (subscription_event_keys(org_id, events))
    where deleted_at is null and active;

-- The queue claim counts each candidate subscription's live leases; the index of its pending rows
-- (queued too) grows with the backlog, this one only with what is in flight.
create index delivery_subscription_in_flight on delivery (subscription_id) where status = 'in_flight';

-- The queue claim counts each candidate subscription's live leases (status 'in_flight', locked_until
-- not yet passed). With the lease time in the index the count is answered from the index alone, and
-- it is the index the claim's plan picks even on a queue table analyzed while near empty (DeliveryClaim
-- runs without sequential and bitmap scans; with subscription_id alone the planner could prefer the
-- larger delivery_subscription_pending and read every pending row of the subscription).
drop index delivery_subscription_in_flight;
create index delivery_subscription_in_flight on delivery (subscription_id, locked_until) where status = 'in_flight';

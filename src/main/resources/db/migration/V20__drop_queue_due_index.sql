-- delivery_due (V1: queued rows in due order across subscriptions) has served no query since the claim went
-- subscription by subscription (V10: delivery_subscription_due). It stayed a trap for the planner: when the delivery
-- table was last analyzed with its history and an empty queue, the statistics say almost no row is queued, and the
-- claim's plan walked every queued row of this index, in due order, once per subscription it stepped to (700 ms a
-- claim of 256 with 50,000 queued, against 15 ms along delivery_subscription_due), until autovacuum analyzed the
-- table again: the benchmark's slow-receiver runs fell to a fifth of their rate at random. Without it, every index
-- holding queued rows leads with subscription_id, whatever the statistics say (DeliveryClaimPlanTest); and each
-- queued row version costs one index entry less.
drop index delivery_due;

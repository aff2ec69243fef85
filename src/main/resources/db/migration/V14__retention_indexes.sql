-- Retention for every table (issue 19): each purge batch takes the oldest rows past their table's retention
-- along one of these indexes (a range scan from its low end), so a batch costs what it removes, not the table.
-- What each costs the hot paths is in README, "Retention".

-- Events by age. Publishing inserts one entry per event, at the right end (created_at is the insert's now()).
create index event_created on event (created_at);

-- Finished deliveries by completion. Partial: publishing inserts queued rows, which never enter it; the
-- attempt recorder adds one entry when a delivery finishes (its update is not HOT anyway: it changes status
-- and locked_until, which other indexes cover), none while it is queued or in flight.
create index delivery_completed on delivery (completed_at) where status in ('succeeded', 'failed', 'cancelled');

-- Audit records by time. Every audited action (the delete core's, a credential change) inserts one entry, at
-- the right end.
create index audit_at on audit (at);

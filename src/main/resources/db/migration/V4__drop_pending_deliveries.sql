-- The delete core's step 4 (API.md §2): remove a subscription's queued and in-flight deliveries.
-- A function, VOLATILE, because a volatile function's statements each take a fresh snapshot under READ
-- COMMITTED: called after the delete statement has locked the subscription row, it sees the deliveries of
-- a publish that held the row (FOR KEY SHARE) and committed while the delete waited for it. The delete
-- statement's own snapshot, taken before that wait, would not, and the delivery would stay queued forever.
create function drop_pending_deliveries(subscription uuid) returns bigint
    language sql volatile
as $$
    with dropped as (
        delete from delivery d
        where d.subscription_id = subscription and d.status in ('queued', 'in_flight')
        returning 1
    )
    select count(*) from dropped
$$;

-- The live leases of a subscription, counted with a snapshot of its own: the claim calls it after it took
-- the subscription's advisory lock, so a claim that committed while this one's statement ran is counted
-- (the statement's own snapshot predates the lock and would count its leases as free slots).
create or replace function live_leases(sub uuid) returns int language sql volatile as $$
    select count(*)::int from delivery f
     where f.subscription_id = sub and f.status = 'in_flight' and f.locked_until >= now()
$$;

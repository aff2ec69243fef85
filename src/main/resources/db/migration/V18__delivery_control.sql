-- Delivery control per subscription (issue 20): pause and hold, rate limit and in-flight bound, adaptive pace,
-- ordered (fifo) delivery. README, "Delivery control", says what each does; the claim (DeliveryRepository)
-- and the attempt recorder (DeliveryAttemptRepository) are where they take effect.

alter table subscription
    -- Paused since (null: not paused). While set the claim takes nothing of the subscription: its deliveries
    -- are held queued, unattempted.
    add column paused_at     timestamptz,
    -- Most attempts started per second (null: no limit), across every instance.
    add column rate_limit    integer check (rate_limit between 1 and 10000),
    -- Most attempts in flight at once (null: hookhub.delivery.max-in-flight-per-subscription).
    add column max_in_flight integer check (max_in_flight between 1 and 1000),
    -- 'fifo': one attempt at a time, strictly in publish order (delivery.seq); 'none': no order.
    add column ordering      text not null default 'none' check (ordering in ('none', 'fifo')),
    -- Adaptive pace: the fraction of its rate and in-flight bound the subscription gets, halved (at most once a
    -- second) by a throttling answer (429, 502, 503, 504), a timeout or rising latency, stored with the time it
    -- was set; it doubles back every hookhub.delivery.pace-recovery from there, up to 1 (claim_pace).
    add column pace          real not null default 1,
    add column paced_at      timestamptz,
    -- Moving average of the subscription's answered attempts' durations, ms (rising latency is measured against it).
    add column latency_ms    real;

-- Publish order: a number drawn as each delivery is queued. Publishes answered one after another are numbered
-- in that order (the second one's insert runs after the first one committed). Existing pending rows are
-- numbered by (created_at, id); finished rows keep none.
create sequence delivery_seq;
alter table delivery add column seq bigint;
alter table delivery alter column seq set default nextval('delivery_seq');
with pending as (
    select id, row_number() over (order by created_at, id) as n from delivery where status in ('queued', 'in_flight')
)
update delivery d set seq = p.n from pending p where d.id = p.id;
select setval('delivery_seq', coalesce((select max(seq) from delivery), 0) + 1, false);

-- A subscription's pending deliveries in publish order: the fifo head is its first entry. It replaces
-- delivery_subscription_pending (subscription_id, same rows), which the delete core read: one index, not two.
create index delivery_subscription_order on delivery (subscription_id, seq) where status in ('queued', 'in_flight');
drop index delivery_subscription_pending;

-- The rate limit's state (GCRA): when the subscription's next attempt may start. Written by the claim only,
-- under the subscription's claim lock (advisory, class 26731), so claims on several instances share it; kept
-- out of the subscription row, which the claim would otherwise lock against edits, deletes and the recorder.
create table delivery_pace (
    subscription_id uuid primary key references subscription (id) on delete cascade,
    next_at         timestamptz not null
);

-- Read with a snapshot of its own (volatile), as live_leases: the claim reads it after taking the lock.
create or replace function pace_next(sub uuid) returns timestamptz language sql volatile as $$
    select next_at from delivery_pace where subscription_id = sub
$$;

-- The pace now: the stored one doubled for every `recovery` seconds since it was set, at most 1.
create or replace function claim_pace(s subscription, recovery float8) returns float8 language sql stable as $$
    select case when s.paced_at is null then s.pace::float8
                else least(1, s.pace * power(2, greatest(0, extract(epoch from now() - s.paced_at)) / recovery)) end
$$;

-- Most attempts of the subscription in flight now: 1 when ordered, else its bound (or the default) at its pace,
-- at least 1.
create or replace function claim_bound(s subscription, dflt int, recovery float8) returns int language sql stable as $$
    select case when s.ordering = 'fifo' then 1
                else greatest(1, floor(coalesce(s.max_in_flight, dflt) * claim_pace(s, recovery)))::int end
$$;

-- Attempts per second the subscription may start now (null: no limit): its limit at its pace.
create or replace function claim_rate(s subscription, recovery float8) returns float8 language sql stable as $$
    select s.rate_limit * claim_pace(s, recovery)
$$;

-- How many attempts the subscription may start now at `rate` per second (GCRA): its allowance grows by one every
-- 1/rate s, up to one second's worth (at least one attempt) when it has been idle; read after the claim lock, with a
-- snapshot of its own (pace_next).
create or replace function rate_allowance(sub uuid, rate float8) returns int language sql volatile as $$
    select greatest(0, floor((greatest(1, 1 / rate)
                              - greatest(0, extract(epoch from coalesce(pace_next(sub), now()) - now()))) * rate + 1e-9))::int
$$;

-- Whether an attempt batch of the subscription slows it down: a throttling answer or a timeout (`throttle`), or
-- answers of at least a second that took twice its moving average; at most once a second (the attempts in flight
-- when a receiver starts refusing all answer alike: one halving, not one per attempt).
create or replace function pace_signal(s subscription, throttle boolean, answered_ms float8) returns boolean
language sql stable as $$
    select (throttle or coalesce(answered_ms >= 1000 and answered_ms >= 2 * s.latency_ms, false))
       and (s.paced_at is null or s.paced_at <= now() - interval '1 second')
$$;

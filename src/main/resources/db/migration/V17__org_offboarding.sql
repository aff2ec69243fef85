-- Offboarding an org (issue 19): a background job with a status that outlives the org. No foreign key to
-- organization: the row stays (status, counts, who asked) after the org and everything of it is gone.
create table org_offboarding (
    org_id                uuid primary key,
    requested_by          text not null,
    requested_from        text,
    started_at            timestamptz not null,
    finished_at           timestamptz,
    status                text not null check (status in ('running', 'completed')),
    -- What the job is removing now: subscriptions, credentials, events, attempts, finishing; done at the end.
    step                  text not null,
    -- What was removed so far, each batch's counts added in the batch's own transaction.
    subscriptions         bigint not null default 0,
    deliveries_cancelled  bigint not null default 0,
    deliveries            bigint not null default 0,
    events                bigint not null default 0,
    attempts              bigint not null default 0,
    tombstones            bigint not null default 0,
    clients               bigint not null default 0,
    api_keys              bigint not null default 0,
    event_types           bigint not null default 0,
    -- The latest lease of the org's deliveries that were in flight when their subscriptions were deleted: their
    -- attempts may still be recorded until then, so the tombstones (the handle on those attempts) wait for it.
    attempts_settle_at    timestamptz,
    -- The instance running the job and until when; another instance takes over a running job whose lease ran out.
    lease_owner           text,
    lease_until           timestamptz
);
create index org_offboarding_running on org_offboarding (lease_until) where status = 'running';

-- An org's subscriptions by org, tombstones included: offboarding walks the org's tombstones (to delete their
-- attempts through delivery_attempt_subscription, then them), and removing the organization row checks
-- subscription.org_id for its foreign key, which subscription_org_live (live rows only) cannot answer.
create index subscription_org on subscription (org_id, id);

-- Removing a subscription row makes PostgreSQL delete its deliveries (foreign key, on delete cascade) with
-- "delete from delivery where subscription_id = $1", which the partial indexes on delivery (pending, due, in
-- flight) cannot answer: without this index each tombstone removed read the whole delivery table, terminal rows
-- included (offboarding removes an org's tombstones one batch after another; the retention purge does too).
create index delivery_subscription on delivery (subscription_id);

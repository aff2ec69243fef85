-- hookhub data model (API.md §1). Every read the API makes has an index here; see the comments.

create table organization (
    id          uuid primary key,
    number      integer generated always as identity unique check (number > 0),
    name        text not null check (length(name) between 1 and 200),
    created_at  timestamptz not null default now()
);

-- OAuth2 client-credentials clients. The secret is 32 random bytes, so a SHA-256 digest is enough
-- (no dictionary to guard against); the plaintext is shown once and never stored.
create table api_client (
    id           uuid primary key,
    org_id       uuid not null references organization (id) on delete cascade,
    client_id    text not null unique,
    secret_hash  bytea not null,
    name         text,
    roles        text[] not null,
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz
);
create index api_client_org on api_client (org_id);

-- API keys (Hi Marley x-api-key): looked up by their SHA-256 digest; shown once.
create table api_key (
    id          uuid primary key,
    org_id      uuid not null references organization (id) on delete cascade,
    key_hash    bytea not null unique,
    prefix      text not null,
    name        text,
    roles       text[] not null,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);
create index api_key_org on api_key (org_id);

-- Event types, registered per org on first use with a positive number (Hi Marley EVENT_ID).
create table event_type (
    org_id      uuid not null references organization (id) on delete cascade,
    name        text not null,
    number      integer generated always as identity unique check (number > 0),
    created_at  timestamptz not null default now(),
    primary key (org_id, name)
);

create table subscription (
    id                 uuid primary key,
    number             bigint generated always as identity unique check (number > 0),
    org_id             uuid not null references organization (id) on delete cascade,
    name               text not null,
    description        text,
    code               text,
    url                text not null,
    events             text[] not null check (cardinality(events) >= 1),
    content_type       text not null check (content_type in ('application/json', 'application/x-msgpack')),
    headers            jsonb not null default '{}'::jsonb,
    active             boolean not null default true,
    version            integer not null default 1,
    owner_public_key   text,
    created_at         timestamptz not null,
    created_by         text not null,
    modified_at        timestamptz not null,
    modified_by        text not null,
    deleted_at         timestamptz,
    deleted_by         text,
    last_http_success  timestamptz,
    last_http_fail     timestamptz,
    failing_since      timestamptz
);
-- Reads by org and id / number / list order only ever see live subscriptions.
create index subscription_org_live on subscription (org_id, id) where deleted_at is null;
-- A code is unique among an org's live subscriptions; deleting frees it at once.
create unique index subscription_org_code_live on subscription (org_id, code) where deleted_at is null and code is not null;
-- Retention purge of tombstones.
create index subscription_deleted_at on subscription (deleted_at) where deleted_at is not null;

-- Signing secrets, AES-256-GCM encrypted (nonce || ciphertext || tag) with the subscription id as
-- associated data. Deleting a subscription deletes these rows: crypto-shredding.
create table signing_secret (
    id               uuid primary key,
    subscription_id  uuid not null references subscription (id) on delete cascade,
    key_id           text not null unique,
    ciphertext       bytea not null,
    created_at       timestamptz not null default now(),
    expires_at       timestamptz
);
create index signing_secret_subscription on signing_secret (subscription_id, created_at desc);

create table event (
    id               uuid primary key,
    org_id           uuid not null references organization (id) on delete cascade,
    type             text not null,
    payload          bytea not null,
    payload_format   text not null,
    idempotency_key  text,
    created_at       timestamptz not null default now()
);
create unique index event_idempotency on event (org_id, idempotency_key) where idempotency_key is not null;
create index event_org_created on event (org_id, created_at desc);

-- The delivery queue: one row per (event, subscription). Terminal rows stay for GET /v1/events/{id}.
create table delivery (
    id               uuid primary key,
    event_id         uuid not null references event (id) on delete cascade,
    subscription_id  uuid not null references subscription (id) on delete cascade,
    org_id           uuid not null,
    status           text not null check (status in ('queued', 'in_flight', 'succeeded', 'failed', 'cancelled')),
    attempts         integer not null default 0,
    due_at           timestamptz not null default now(),
    locked_until     timestamptz,
    created_at       timestamptz not null default now(),
    completed_at     timestamptz
);
-- The claim: queued deliveries by due time.
create index delivery_due on delivery (due_at) where status = 'queued';
-- In-flight deliveries whose lease ran out (crash recovery).
create index delivery_in_flight on delivery (locked_until) where status = 'in_flight';
-- The delete core drops a subscription's pending deliveries.
create index delivery_subscription_pending on delivery (subscription_id) where status in ('queued', 'in_flight');
create index delivery_event on delivery (event_id);

-- Delivery history ("SubscriptionDeliveryResult"), kept after its delivery and subscription are gone
-- for the retention period; hence no foreign keys.
create table delivery_attempt (
    id                  uuid primary key,
    delivery_id         uuid,
    subscription_id     uuid not null,
    event_id            uuid not null,
    org_id              uuid not null,
    attempted_at        timestamptz not null,
    status_code         integer,
    status_description  text not null,
    duration_ms         integer not null
);
-- History by subscription, newest first (ServiceStack history, /v1 attempts paging).
create index delivery_attempt_subscription on delivery_attempt (subscription_id, attempted_at desc, id desc);
create index delivery_attempt_attempted_at on delivery_attempt (attempted_at);

create table audit (
    id               bigint generated always as identity primary key,
    org_id           uuid,
    subscription_id  uuid,
    action           text not null,
    actor            text not null,
    surface          text not null,
    remote_address   text,
    at               timestamptz not null default now()
);
create index audit_subscription on audit (subscription_id, at desc);

-- Operational events (issue 19, part 3): hookhub's own events about an org's subscriptions and deliveries,
-- written into this outbox by the statement that caused them (the delete core, the attempt recorder), in its
-- transaction, and published into the org's stream by the relay (delivery/OperationalEvents), which then
-- deletes the row. The row's id becomes the event's id, so a relay that dies between publishing and deleting
-- publishes the same id again, which the publish statement ignores (on conflict do nothing).

-- Time-ordered ids (UUID version 7, RFC 9562), as hookhub's own code makes them (support/Ids): the outbox row's
-- id is the event's id. The first 48 bits are the Unix time in milliseconds, then the version and variant bits.
create function uuid_v7() returns uuid
    language sql volatile parallel safe
    return encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                        placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::int8) from 3)
                        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid;

-- A time as the /v1 API writes it in JSON: ISO-8601 in UTC with a Z, to the microsecond; null stays null.
create function iso_utc(t timestamptz) returns text
    language sql stable parallel safe
    return to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

create table operational_event (
    id          uuid primary key default uuid_v7(),
    org_id      uuid not null references organization (id) on delete cascade,
    type        text not null,
    -- json, not jsonb: kept as written, so the delivered payload has its fields in the documented order.
    data        json not null,
    created_at  timestamptz not null default now()
);
-- The relay takes the oldest rows first.
create index operational_event_created on operational_event (created_at, id);

-- Whether a live, active subscription of the org other than `except_id` (null: none excepted) lists the type:
-- the fan-out's probe of subscription_event_keys_live (V2__hot_path_indexes.sql). For the attempt recorder, whose
-- statement runs without bitmap scans (DeliveryRepository.PLANNER_SETTINGS) and so would read every subscription
-- instead: a GIN index is only read through a bitmap scan, which this function turns back on while it runs.
create function org_listens(org uuid, event_type text, except_id uuid) returns boolean
    language sql stable
    set enable_bitmapscan = on
    return exists (select 1 from subscription s
                    where subscription_event_keys(s.org_id, s.events) @> array[org::text || ' ' || event_type]
                      and s.deleted_at is null and s.active and s.id is distinct from except_id);

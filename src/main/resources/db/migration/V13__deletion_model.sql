-- Deletion that really deletes (issue 19): the columns the payload encryption, event erasure and org
-- offboarding share.

-- The org's data key (AES-256), wrapped under the master key (AES-GCM, the org id as associated data). Null
-- until the org's first payload, and again once offboarding destroyed it (crypto-erasure).
alter table organization add column data_key bytea;
-- Set when offboarding starts: from then the org accepts nothing and is given no new data key.
alter table organization add column offboarded_at timestamptz;

-- Payloads are sealed under the org's data key (AES-GCM, the event id as associated data); rows written
-- before this version are plaintext until the sealer reaches them.
alter table event add column sealed boolean not null default false;
-- An erased event keeps its row (type, time) so its attempts can say so; its payload is gone.
alter table event add column erased_at timestamptz;
alter table event alter column payload drop not null;
create index event_unsealed on event (id) where not sealed and payload is not null;

-- Credential lifecycle (issue 17): what an audit record is about beyond a subscription (a client id, an
-- API key's id), and when a client's secret was last rotated.
alter table audit add column target text;
alter table api_client add column secret_rotated_at timestamptz;
create index audit_org on audit (org_id, at desc);

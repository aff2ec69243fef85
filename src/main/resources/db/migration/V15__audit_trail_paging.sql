-- The readable audit trail (issue 19): GET /v1/audit pages an org's records newest first by id (keyset,
-- "id < cursor"). With this index a page is one descent and reads only the rows it returns (plus those its
-- filters skip); audit_org (org_id, at desc) would have to sort every record of the org.
create index audit_org_id on audit (org_id, id desc);

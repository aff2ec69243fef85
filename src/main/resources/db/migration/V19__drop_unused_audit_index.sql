-- audit_org (org_id, at desc), from V12, is read by no query: the audit trail pages by (org_id, id desc)
-- (audit_org_id, V15) and retention by at (audit_at, V14). Every audited action (each delete among them) paid
-- for its entry.
drop index audit_org;

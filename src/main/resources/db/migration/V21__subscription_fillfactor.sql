-- The attempt recorder updates each subscription it recorded attempts of (last success or failure, failing run,
-- pace, moving latency): about one subscription update per three deliveries under load. None of those columns is
-- indexed, so the update can be HOT (no new index entries) when the row's page has room for the new version;
-- with the pages packed full, one in five was not (the slow-receiver benchmark: 43,071 HOT of 52,926), and each of
-- those wrote an entry into every index of the table, the fan-out's GIN index among them. Pages filled to 70 %
-- leave that room. It applies to pages written from now on; an existing table gets it as rows are rewritten (or
-- at once with VACUUM FULL subscription, which locks the table while it runs).
alter table subscription set (fillfactor = 70);

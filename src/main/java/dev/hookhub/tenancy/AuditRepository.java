package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Every query of the audit table. The delete core writes its record inside its own statement
 * (SubscriptionRepository); every other change records through {@link #record}, in its own transaction.
 * The retention purge is native (below).
 */
@ApplicationScoped
public class AuditRepository implements PanacheRepositoryBase<AuditRecord, Long> {

    /** Writes the record in the caller's transaction. */
    public Uni<AuditRecord> record(AuditRecord record) {
        return persist(record);
    }

    /** The org's records, newest first, before the record id {@code before} (exclusive; null from the newest). */
    @WithSession
    public Uni<List<AuditRecord>> ofOrg(UUID orgId, Long before, int limit) {
        return (before == null ? find("orgId = ?1 order by id desc", orgId)
                : find("orgId = ?1 and id < ?2 order by id desc", orgId, before)).page(0, limit).list();
    }

    /**
     * A purge batch: the oldest records past the cutoff, along audit_at (V14). Deleted by row address (ctid): the
     * rows stay locked until the statement ends, so their addresses hold, and no index is descended again per row.
     */
    private static final String PURGE = """
            delete from audit where ctid = any(array(
                select a.ctid from audit a
                 where a.at < $1
                 order by a.at limit $2
                   for update of a skip locked))
            """;

    private final Pool pool;

    public AuditRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Deletes at most {@code batch} records of actions before the cutoff; the count. Native, through the reactive
     * client, one statement in its own transaction: {@code FOR UPDATE SKIP LOCKED} (no HQL form) lets purges on
     * several instances take disjoint rows instead of waiting for (or deadlocking with) each other.
     */
    public Uni<Integer> purgeBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> rows.rowCount());
    }
}

package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Every query of the audit table. The delete core writes its record inside its own statement
 * (SubscriptionRepository); every other change records through {@link #record}, in its own transaction.
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

    /** What GET /v1/audit narrows an org's records to; null fields do not narrow. {@code until} is exclusive. */
    public record Filter(String action, UUID subscriptionId, Instant since, Instant until) {
    }

    /**
     * A page of the org's records that pass the filter, newest first (by id), before the record id
     * {@code before} (exclusive; null from the newest), at most {@code limit}. The page is one descent of
     * audit (org_id, id desc) (V15).
     */
    @WithSession
    public Uni<List<AuditRecord>> page(UUID orgId, Filter filter, Long before, int limit) {
        StringBuilder where = new StringBuilder("orgId = :org");
        Parameters params = Parameters.with("org", orgId);
        if (before != null) {
            where.append(" and id < :before");
            params = params.and("before", before);
        }
        if (filter.action() != null) {
            where.append(" and action = :action");
            params = params.and("action", filter.action());
        }
        if (filter.subscriptionId() != null) {
            where.append(" and subscriptionId = :subscription");
            params = params.and("subscription", filter.subscriptionId());
        }
        if (filter.since() != null) {
            where.append(" and at >= :since");
            params = params.and("since", filter.since());
        }
        if (filter.until() != null) {
            where.append(" and at < :until");
            params = params.and("until", filter.until());
        }
        return find(where + " order by id desc", params).page(0, limit).list();
    }
}

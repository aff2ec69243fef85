package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

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
}

package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Every query of the organization table. */
@ApplicationScoped
public class OrganizationRepository implements PanacheRepositoryBase<Organization, UUID> {

    /** An org is active until its offboarding starts; from then it accepts nothing (README, "Offboarding an org"). */
    static final String ACTIVE = "offboardedAt is null";
    /** {@link #ACTIVE} for a query that names the org {@code o}. */
    static final String ACTIVE_O = "o." + ACTIVE;

    /** The org with this id while it is active (not being offboarded), or null. */
    @WithSession
    public Uni<Organization> findActive(UUID id) {
        return find("id = ?1 and " + ACTIVE, id).firstResult();
    }

    /** The active org with this number, or null. */
    @WithSession
    public Uni<Organization> activeWithNumber(int number) {
        return find("number = ?1 and " + ACTIVE, number).firstResult();
    }

    /**
     * Starts the org's offboarding, in the caller's transaction: sets offboarded_at and destroys the wrapped data
     * key (crypto-erasure), unless it has started already. 1 when this call started it, 0 when there is no such
     * org or it was started before. A conditional update: of two concurrent calls exactly one starts it.
     */
    public Uni<Integer> markOffboarded(UUID id, Instant at) {
        return update("offboardedAt = ?1, dataKey = null where id = ?2 and " + ACTIVE, at, id);
    }

    /** Deletes the org's row once its offboarding removed everything else, in the caller's transaction; the count. */
    public Uni<Long> deleteOffboarded(UUID id) {
        return delete("id = ?1 and offboardedAt is not null", id);
    }

    /** Orgs in number order after the given number (exclusive; null from the start), at most {@code limit}. */
    @WithSession
    public Uni<List<Organization>> page(Integer afterNumber, int limit) {
        return find("number > ?1 order by number", afterNumber == null ? 0 : afterNumber).page(0, limit).list();
    }
}

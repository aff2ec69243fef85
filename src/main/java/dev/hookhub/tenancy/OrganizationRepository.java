package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
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

    /** An org's wrapped data key as stored: null when it has none yet (or any more); {@code offboarded} once it left. */
    public record StoredKey(boolean exists, byte[] wrapped, boolean offboarded) {
    }

    private final Pool pool;

    public OrganizationRepository(Pool pool) {
        this.pool = pool;
    }

    /** Orgs in number order after the given number (exclusive; null from the start), at most {@code limit}. */
    @WithSession
    public Uni<List<Organization>> page(Integer afterNumber, int limit) {
        return find("number > ?1 order by number", afterNumber == null ? 0 : afterNumber).page(0, limit).list();
    }

    /** The org with this number (CRO's x-tenant-id, an operator token's subject), or null. */
    @WithSession
    public Uni<Organization> withNumber(int number) {
        return find("number", number).firstResult();
    }

    /**
     * The org's wrapped data key. Native, through the reactive client: the delivery worker asks for it outside any
     * request, where no Hibernate session is open (its claim is native too), once per org per cache time.
     */
    public Uni<StoredKey> dataKey(UUID orgId) {
        return pool.preparedQuery("select data_key, offboarded_at is not null as offboarded from organization where id = $1")
                .execute(Tuple.of(orgId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new StoredKey(false, null, false);
                    }
                    Row r = rows.iterator().next();
                    io.vertx.mutiny.core.buffer.Buffer key = r.getBuffer("data_key");
                    return new StoredKey(true, key == null ? null : key.getBytes(), r.getBoolean("offboarded"));
                });
    }

    /**
     * Stores a first data key for the org unless it has one or is being offboarded: whether it was stored. Native for
     * the same reason as {@link #dataKey}; the condition makes two instances' first keys race safely.
     */
    public Uni<Boolean> offerDataKey(UUID orgId, byte[] wrapped) {
        return pool.preparedQuery("update organization set data_key = $2 where id = $1 and data_key is null"
                        + " and offboarded_at is null")
                .execute(Tuple.of(orgId, Buffer.buffer(wrapped)))
                .map(rows -> rows.rowCount() == 1);
    }
}

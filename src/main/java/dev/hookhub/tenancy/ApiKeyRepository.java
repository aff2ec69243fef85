package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheQuery;
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

/** Every query of the api_key table (Hi Marley's delete also checks a key inside the delete core's statement). */
@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, UUID> {

    /** What a live key grants: its org, its public prefix and its role names. */
    public record Grant(UUID orgId, String prefix, List<String> roles) {
    }

    private final Pool pool;

    public ApiKeyRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The grant of the live key with this SHA-256 digest, or null: unrevoked, of an org that is not being
     * offboarded (a key created while its org's offboarding began is refused all the same). Every request with a key asks (a revocation
     * holds at once). Native, one prepared statement on the reactive client and no session: the per-request
     * credential lookup (README, "For contributors").
     */
    public Uni<Grant> liveGrant(byte[] keyDigest) {
        return pool.preparedQuery("select k.org_id, k.prefix, k.roles from api_key k join organization o on o.id = k.org_id"
                        + " where k.key_hash = $1 and k.revoked_at is null and o.offboarded_at is null")
                .execute(Tuple.of(Buffer.buffer(keyDigest)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row k = rows.iterator().next();
                    return new Grant(k.getUUID("org_id"), k.getString("prefix"), List.of(k.getArrayOfStrings("roles")));
                });
    }

    /** The org's keys after {@code after} (exclusive; null from the start) in id order, which is creation order (UUIDv7). */
    @WithSession
    public Uni<List<ApiKey>> ofOrg(UUID orgId, UUID after, int limit) {
        PanacheQuery<ApiKey> query = after == null ? find("orgId = ?1 order by id", orgId)
                : find("orgId = ?1 and id > ?2 order by id", orgId, after);
        return query.page(0, limit).list();
    }

    /** The org's key with this row id; null when the org has none such. */
    @WithSession
    public Uni<ApiKey> ofOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult();
    }

    /** Revokes every live key of the org at once (offboarding), in the caller's transaction; the count. */
    public Uni<Integer> revokeAllOfOrg(UUID orgId, Instant at) {
        return update("revokedAt = ?1 where orgId = ?2 and revokedAt is null", at, orgId);
    }

    /** Deletes at most {@code batch} of the org's keys, in the caller's transaction; the count. */
    public Uni<Integer> deleteOfOrg(UUID orgId, int batch) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery(
                        "delete from ApiKey where id in (select k.id from ApiKey k where k.orgId = :org"
                                + " order by k.id limit :batch)")
                .setParameter("org", orgId).setParameter("batch", batch).executeUpdate());
    }

    /** Whether the org has any key, revoked or not (offboarding's last check). */
    @WithSession
    public Uni<Boolean> anyOfOrg(UUID orgId) {
        return find("orgId", orgId).firstResult().map(k -> k != null);
    }

    /** Sets revoked_at unless it is set already; the count says whether this call did (see ApiClientRepository.markRevoked). */
    public Uni<Integer> markRevoked(UUID id, Instant at) {
        return update("revokedAt = ?1 where id = ?2 and revokedAt is null", at, id);
    }
}

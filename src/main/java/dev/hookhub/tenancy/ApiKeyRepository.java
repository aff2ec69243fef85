package dev.hookhub.tenancy;

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
     * The grant of the live key with this SHA-256 digest, or null. Every request with a key asks (a revocation
     * holds at once). Native, one prepared statement on the reactive client and no session: the per-request
     * credential lookup (README, "For contributors").
     */
    public Uni<Grant> liveGrant(byte[] keyDigest) {
        return pool.preparedQuery("select org_id, prefix, roles from api_key where key_hash = $1 and revoked_at is null")
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

    /** Sets revoked_at unless it is set already; the count says whether this call did (see ApiClientRepository.markRevoked). */
    public Uni<Integer> markRevoked(UUID id, Instant at) {
        return update("revokedAt = ?1 where id = ?2 and revokedAt is null", at, id);
    }
}

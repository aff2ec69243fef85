package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.quarkus.hibernate.reactive.panache.PanacheQuery;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An org's API key (sent as x-api-key). Looked up by the SHA-256 digest of the key; the per-request lookup
 * is Tenancy.apiKeyCaller's prepared statement, every other query is here.
 */
@Entity
@Table(name = "api_key")
public class ApiKey extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "key_hash")
    public byte[] keyHash;

    public String prefix;

    public String name;

    public String[] roles;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** The org's keys after {@code after} (exclusive; null from the start) in id order, which is creation order (UUIDv7). */
    static Uni<List<ApiKey>> ofOrg(UUID orgId, UUID after, int limit) {
        PanacheQuery<ApiKey> query = after == null ? find("orgId = ?1 order by id", orgId)
                : find("orgId = ?1 and id > ?2 order by id", orgId, after);
        return query.page(0, limit).list();
    }

    /** The org's key with this row id; null when the org has none such. */
    static Uni<ApiKey> ofOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult();
    }

    /** Sets revoked_at unless it is set already; the count says whether this call did (see ApiClient.markRevoked). */
    static Uni<Integer> markRevoked(UUID id, Instant at) {
        return update("revokedAt = ?1 where id = ?2 and revokedAt is null", at, id);
    }
}

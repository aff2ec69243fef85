package dev.hookhub.tenancy;

import dev.hookhub.support.Ids;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheQuery;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Every query of the api_client table. */
@ApplicationScoped
public class ApiClientRepository implements PanacheRepositoryBase<ApiClient, UUID> {

    /**
     * The live client with this public client id, or null: unrevoked, of an org that is not being offboarded (a
     * client created while its org's offboarding began is refused all the same).
     */
    @WithSession
    public Uni<ApiClient> live(String clientId) {
        if (clientId.indexOf('\0') >= 0) {
            return Uni.createFrom().nullItem(); // PostgreSQL text cannot hold one, so no client id does
        }
        return find("clientId = ?1 and revokedAt is null and orgId in (select o.id from Organization o"
                + " where " + OrganizationRepository.ACTIVE_O + ")", clientId).firstResult();
    }

    /** Revokes every live client of the org at once (offboarding), in the caller's transaction; the count. */
    public Uni<Integer> revokeAllOfOrg(UUID orgId, Instant at) {
        return update("revokedAt = ?1 where orgId = ?2 and revokedAt is null", at, orgId);
    }

    /** Deletes at most {@code batch} of the org's clients, in the caller's transaction; the count. */
    public Uni<Integer> deleteOfOrg(UUID orgId, int batch) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery(
                        "delete from ApiClient where id in (select c.id from ApiClient c where c.orgId = :org"
                                + " order by c.id limit :batch)")
                .setParameter("org", orgId).setParameter("batch", batch).executeUpdate());
    }

    /** Whether the org has any client, revoked or not (offboarding's last check). */
    @WithSession
    public Uni<Boolean> anyOfOrg(UUID orgId) {
        return find("orgId", orgId).firstResult().map(c -> c != null);
    }

    /** The org's clients after {@code after} (exclusive; null from the start) in id order, which is creation order (UUIDv7). */
    @WithSession
    public Uni<List<ApiClient>> ofOrg(UUID orgId, UUID after, int limit) {
        PanacheQuery<ApiClient> query = after == null ? find("orgId = ?1 order by id", orgId)
                : find("orgId = ?1 and id > ?2 order by id", orgId, after);
        return query.page(0, limit).list();
    }

    /** The org's client named by its row id (a UUID) or its public client id; null when the org has none such. */
    @WithSession
    public Uni<ApiClient> ofOrg(UUID orgId, String idOrClientId) {
        Optional<UUID> id = Ids.parse(idOrClientId);
        if (id.isPresent()) {
            return find("orgId = ?1 and id = ?2", orgId, id.get()).firstResult();
        }
        if (idOrClientId.indexOf('\0') >= 0) {
            return Uni.createFrom().nullItem();
        }
        return find("orgId = ?1 and clientId = ?2", orgId, idOrClientId).firstResult();
    }

    /**
     * Sets revoked_at unless it is set already; the count says whether this call did. A conditional update
     * rather than a dirty entity: a concurrent revoke waits on the row lock and then finds it revoked, so
     * exactly one of them records the revocation.
     */
    public Uni<Integer> markRevoked(UUID id, Instant at) {
        return update("revokedAt = ?1 where id = ?2 and revokedAt is null", at, id);
    }

    /**
     * Replaces the secret's digest of a live client; 0 when it is revoked (by now). Conditional for the same
     * reason, and so that no write of a stale entity could clear a concurrent revocation.
     */
    public Uni<Integer> replaceSecret(UUID id, byte[] secretHash, Instant at) {
        return update("secretHash = ?1, secretRotatedAt = ?2 where id = ?3 and revokedAt is null", secretHash, at, id);
    }
}

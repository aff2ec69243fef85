package dev.hookhub.tenancy;

import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.support.Digests;
import dev.hookhub.support.Ids;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The lifecycle of an org's credentials after their creation: listing them (never their secrets), revoking
 * an API client or an API key, rotating a client's secret. Each change writes an {@link AuditRecord} in its
 * own transaction; a revoked client's cached tokens are forgotten on this instance once the change is
 * committed ({@link ClientRevoked}), and on the others within hookhub.auth.verified-token-cache-time.
 * A credential of another org answers as an unknown one.
 */
@ApplicationScoped
public class Credentials {

    /** A client whose secret was just rotated, with the new secret (shown this once). */
    public record Rotated(ApiClient client, String secret) {
    }

    private final Event<ClientRevoked> revoked;

    public Credentials(Event<ClientRevoked> revoked) {
        this.revoked = revoked;
    }

    /** The org's API clients after {@code after} (exclusive, by id: creation order), at most {@code limit}. */
    @WithSession
    public Uni<List<ApiClient>> clients(UUID orgId, UUID after, int limit) {
        return requireOrg(orgId).flatMap(org -> ApiClient.<ApiClient>find("orgId = ?1 and id > ?2 order by id",
                orgId, after == null ? new UUID(0, 0) : after).page(0, limit).list());
    }

    /** The org's API keys after {@code after} (exclusive, by id: creation order), at most {@code limit}. */
    @WithSession
    public Uni<List<ApiKey>> apiKeys(UUID orgId, UUID after, int limit) {
        return requireOrg(orgId).flatMap(org -> ApiKey.<ApiKey>find("orgId = ?1 and id > ?2 order by id",
                orgId, after == null ? new UUID(0, 0) : after).page(0, limit).list());
    }

    /**
     * Revokes the org's client named by its clientId or id; a second revoke changes nothing and answers
     * the first one's time. 404 for an unknown client or another org's.
     */
    public Uni<ApiClient> revokeClient(UUID orgId, String client, String remoteAddress) {
        return revokeClientInTransaction(orgId, client, remoteAddress)
                .invoke(c -> revoked.fire(new ClientRevoked(c.clientId)));
    }

    @WithTransaction
    Uni<ApiClient> revokeClientInTransaction(UUID orgId, String client, String remoteAddress) {
        return findClient(orgId, client).flatMap(found -> {
            if (found.revokedAt != null) {
                return Uni.createFrom().item(found);
            }
            found.revokedAt = now();
            return AuditRecord.byOperator(orgId, "client.revoked", found.clientId, remoteAddress).persist()
                    .replaceWith(found);
        });
    }

    /**
     * A new secret for the org's client: the old one stops authenticating at once; tokens already issued
     * are not affected (revoke the client to end them). 409 for a revoked client.
     */
    @WithTransaction
    public Uni<Rotated> rotateClientSecret(UUID orgId, String client, String remoteAddress) {
        return findClient(orgId, client).flatMap(found -> {
            if (found.revokedAt != null) {
                return Uni.createFrom().failure(ProblemException.conflict("API client " + found.clientId
                        + " is revoked; create a new one"));
            }
            String secret = Tenancy.newClientSecret();
            found.secretHash = Digests.sha256(secret);
            found.secretRotatedAt = now();
            return AuditRecord.byOperator(orgId, "client.secret_rotated", found.clientId, remoteAddress).persist()
                    .replaceWith(new Rotated(found, secret));
        });
    }

    /** Revokes the org's API key; idempotent like {@link #revokeClient}; 404 for unknown or foreign. */
    @WithTransaction
    public Uni<ApiKey> revokeApiKey(UUID orgId, UUID keyId, String remoteAddress) {
        return ApiKey.<ApiKey>find("id = ?1 and orgId = ?2", keyId, orgId).firstResult()
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No API key " + keyId + " in org " + orgId))
                .flatMap(key -> {
                    if (key.revokedAt != null) {
                        return Uni.createFrom().item(key);
                    }
                    key.revokedAt = now();
                    return AuditRecord.byOperator(orgId, "api_key.revoked", key.id.toString(), remoteAddress).persist()
                            .replaceWith(key);
                });
    }

    private static Uni<ApiClient> findClient(UUID orgId, String client) {
        Optional<UUID> id = Ids.parse(client);
        Uni<ApiClient> found = id.isPresent()
                ? ApiClient.<ApiClient>find("id = ?1 and orgId = ?2", id.get(), orgId).firstResult()
                : ApiClient.<ApiClient>find("clientId = ?1 and orgId = ?2", client, orgId).firstResult();
        return found.onItem().ifNull().failWith(() -> ProblemException.notFound("No API client " + client
                + " in org " + orgId));
    }

    private static Uni<Organization> requireOrg(UUID orgId) {
        return Organization.<Organization>findById(orgId)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No org " + orgId));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}

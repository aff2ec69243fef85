package dev.hookhub.tenancy;

import dev.hookhub.support.Digests;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Owns an org's API clients and API keys after they are created: listing them (never a secret or its
 * digest), revoking them, and replacing a client's secret. Each change and its audit record are one
 * transaction. Missing rows are null items; a client of another org is as missing as an unknown one, and so is
 * every credential of an org being offboarded (README, "Offboarding an org").
 */
@ApplicationScoped
public class Credentials {

    /** An API client as the operator sees it; revokedAt and secretRotatedAt are null when that never happened. */
    public record ClientState(UUID id, UUID orgId, String clientId, String name, Set<Role> roles, Instant createdAt,
            Instant revokedAt, Instant secretRotatedAt) {

        static ClientState of(ApiClient c) {
            return new ClientState(c.id, c.orgId, c.clientId, c.name, Tenancy.roles(List.of(c.roles)), c.createdAt,
                    c.revokedAt, c.secretRotatedAt);
        }
    }

    /** An API key as the operator sees it: its public prefix, never the key. */
    public record KeyState(UUID id, UUID orgId, String prefix, String name, Set<Role> roles, Instant createdAt,
            Instant revokedAt) {

        static KeyState of(ApiKey k) {
            return new KeyState(k.id, k.orgId, k.prefix, k.name, Tenancy.roles(List.of(k.roles)), k.createdAt, k.revokedAt);
        }
    }

    /** A client after its secret was replaced, and the new secret, shown this once. */
    public record RotatedSecret(ClientState client, String secret) {
    }

    /** A revoked client's secret cannot be replaced: revocation is final. */
    public static final class ClientIsRevoked extends RuntimeException {
        public ClientIsRevoked(String clientId) {
            super("API client " + clientId + " is revoked; its secret cannot be rotated", null, false, false);
        }
    }

    private final Event<ClientRevoked> revoked;
    private final OrganizationRepository orgs;
    private final ApiClientRepository clients;
    private final ApiKeyRepository keys;
    private final AuditRepository audit;

    public Credentials(Event<ClientRevoked> revoked, OrganizationRepository orgs, ApiClientRepository clients,
            ApiKeyRepository keys, AuditRepository audit) {
        this.revoked = revoked;
        this.orgs = orgs;
        this.clients = clients;
        this.keys = keys;
        this.audit = audit;
    }

    /** The org's clients after {@code after} in creation order, at most {@code limit}; null when there is no such active org. */
    @WithSession
    public Uni<List<ClientState>> clients(UUID orgId, UUID after, int limit) {
        return orgs.findActive(orgId).onItem().ifNotNull().transformToUni(org ->
                clients.ofOrg(orgId, after, limit).map(rows -> rows.stream().map(ClientState::of).toList()));
    }

    /** The org's keys after {@code after} in creation order, at most {@code limit}; null when there is no such active org. */
    @WithSession
    public Uni<List<KeyState>> keys(UUID orgId, UUID after, int limit) {
        return orgs.findActive(orgId).onItem().ifNotNull().transformToUni(org ->
                keys.ofOrg(orgId, after, limit).map(rows -> rows.stream().map(KeyState::of).toList()));
    }

    /**
     * Revokes the org's client named by its row id or client id: it gets no new token from then on. Revoking
     * a revoked client changes nothing and answers its first revocation (one audit record,
     * {@code client.revoked}). After the commit, {@link ClientRevoked} is fired on this instance. Null when
     * the org has no such client.
     */
    public Uni<ClientState> revokeClient(UUID orgId, String client, Requester by) {
        return Panache.withTransaction(() -> ofActiveOrg(orgId, () -> clients.ofOrg(orgId, client)).onItem().ifNotNull().transformToUni(c -> {
            if (c.revokedAt != null) {
                return Uni.createFrom().item(ClientState.of(c));
            }
            Instant now = now();
            return clients.markRevoked(c.id, now).flatMap(changed -> changed == 1
                    ? audit.record(AuditRecord.ofCredential(orgId, "client.revoked", c.clientId, by, now))
                            .replaceWith(new ClientState(c.id, c.orgId, c.clientId, c.name, Tenancy.roles(List.of(c.roles)),
                                    c.createdAt, now, c.secretRotatedAt))
                    // revoked concurrently since it was read: answer that revocation, which has its own record
                    : Panache.getSession().flatMap(session -> session.refresh(c)).map(ignored -> ClientState.of(c)));
        })).invoke(state -> {
            if (state != null) {
                revoked.fire(new ClientRevoked(state.clientId()));
            }
        });
    }

    /**
     * Replaces the secret of the org's live client named by its row id or client id: the old secret gets no
     * token from the commit on; tokens issued before stay valid until they expire (revoke ends those).
     * Audit {@code client.secret_rotated}. Null when the org has no such client; fails with
     * {@link ClientIsRevoked} when it is revoked.
     */
    public Uni<RotatedSecret> rotateSecret(UUID orgId, String client, Requester by) {
        return Panache.withTransaction(() -> ofActiveOrg(orgId, () -> clients.ofOrg(orgId, client)).onItem().ifNotNull().transformToUni(c -> {
            if (c.revokedAt != null) {
                return Uni.createFrom().failure(new ClientIsRevoked(c.clientId));
            }
            String secret = Tenancy.newClientSecret();
            Instant now = now();
            return clients.replaceSecret(c.id, Digests.sha256(secret), now).flatMap(changed -> {
                if (changed == 0) {
                    return Uni.createFrom().failure(new ClientIsRevoked(c.clientId));
                }
                return audit.record(AuditRecord.ofCredential(orgId, "client.secret_rotated", c.clientId, by, now))
                        .replaceWith(new RotatedSecret(new ClientState(c.id, c.orgId, c.clientId, c.name,
                                Tenancy.roles(List.of(c.roles)), c.createdAt, null, now), secret));
            });
        }));
    }

    /**
     * Revokes the org's API key with this row id: every route refuses it from the commit on (keys are looked
     * up on every request). Idempotent like {@link #revokeClient}; audit {@code api_key.revoked}, target the
     * key's id. Null when the org has no such key.
     */
    public Uni<KeyState> revokeKey(UUID orgId, UUID keyId, Requester by) {
        return Panache.withTransaction(() -> ofActiveOrg(orgId, () -> keys.ofOrg(orgId, keyId)).onItem().ifNotNull().transformToUni(k -> {
            if (k.revokedAt != null) {
                return Uni.createFrom().item(KeyState.of(k));
            }
            Instant now = now();
            return keys.markRevoked(k.id, now).flatMap(changed -> changed == 1
                    ? audit.record(AuditRecord.ofCredential(orgId, "api_key.revoked", k.id.toString(), by, now))
                            .replaceWith(new KeyState(k.id, k.orgId, k.prefix, k.name, Tenancy.roles(List.of(k.roles)),
                                    k.createdAt, now))
                    : Panache.getSession().flatMap(session -> session.refresh(k)).map(ignored -> KeyState.of(k)));
        }));
    }

    /** The credential the lookup finds, while the org is active: an org being offboarded has none left to show. */
    private <T> Uni<T> ofActiveOrg(UUID orgId, java.util.function.Supplier<Uni<T>> lookup) {
        return orgs.findActive(orgId).onItem().ifNotNull().transformToUni(org -> lookup.get());
    }

    /** PostgreSQL keeps microseconds: an answer shows what a later read shows. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}

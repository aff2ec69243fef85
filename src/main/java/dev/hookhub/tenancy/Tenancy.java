package dev.hookhub.tenancy;

import dev.hookhub.support.Digests;
import dev.hookhub.support.Ids;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Owns orgs, API clients and API keys: creating them, and checking the credentials they hand out. */
@ApplicationScoped
public class Tenancy {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    private static final int KEY_PREFIX_LENGTH = 10;

    /**
     * Org UUID to org number, of active orgs: a number is never reused, so an entry never maps wrongly; an
     * offboarded org's entry is dropped here when its offboarding starts (OrgOffboarded). Credentials are
     * checked without these (activeOrgNumber, activeOrgId), so another instance's entries never admit a caller.
     */
    private final ConcurrentHashMap<UUID, Integer> orgNumbers = new ConcurrentHashMap<>();

    private final OrganizationRepository orgs;
    private final ApiClientRepository clients;
    private final ApiKeyRepository keys;
    private final AuditRepository audit;

    public Tenancy(OrganizationRepository orgs, ApiClientRepository clients, ApiKeyRepository keys, AuditRepository audit) {
        this.orgs = orgs;
        this.clients = clients;
        this.keys = keys;
        this.audit = audit;
    }

    /** A new credential: the stored row's id and the secret shown this once. */
    public record IssuedCredential(UUID id, UUID orgId, String publicId, String secret, Set<Role> roles,
            String name, Instant createdAt) {
    }

    /** Creates an org and its first audit record ({@code org.created}, target the org's id). */
    @WithTransaction
    public Uni<Organization> createOrg(String name, Requester by) {
        Organization org = new Organization();
        org.id = Ids.newId();
        org.name = name;
        return orgs.persistAndFlush(org)
                .call(o -> audit.record(AuditRecord.of(o.id, null, "org.created", o.id.toString(), by)))
                .invoke(o -> orgNumbers.put(o.id, o.number));
    }

    /** Orgs in number order after the given number (exclusive), at most {@code limit}. */
    public Uni<List<Organization>> orgs(Integer afterNumber, int limit) {
        return orgs.page(afterNumber, limit);
    }

    @WithSession
    public Uni<Organization> findOrg(UUID id) {
        return orgs.findById(id);
    }

    /** The org's number, or null when no such org exists or it is being offboarded. */
    public Uni<Integer> orgNumber(UUID orgId) {
        Integer cached = orgNumbers.get(orgId);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return orgs.findActive(orgId).map(org -> {
            if (org == null) {
                return null;
            }
            orgNumbers.put(org.id, org.number);
            return org.number;
        });
    }

    /** A new API client secret: {@code hhs_} and 32 random bytes in base64url. */
    static String newClientSecret() {
        return "hhs_" + URL.encodeToString(Ids.randomBytes(32));
    }

    /**
     * Creates an API client and its audit record ({@code client.created}); the secret is in the answer only.
     * Null when there is no such org, or it is being offboarded.
     */
    @WithTransaction
    public Uni<IssuedCredential> createClient(UUID orgId, String name, Set<Role> roles, Requester by) {
        return orgs.findActive(orgId).onItem().ifNotNull().transformToUni(org -> {
            ApiClient client = new ApiClient();
            client.id = Ids.newId();
            client.orgId = orgId;
            client.clientId = "hhc_" + URL.encodeToString(Ids.randomBytes(12));
            String secret = newClientSecret();
            client.secretHash = Digests.sha256(secret);
            client.name = name;
            client.roles = names(roles);
            client.createdAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            return clients.persist(client)
                    .call(() -> audit.record(AuditRecord.ofCredential(orgId, "client.created", client.clientId, by,
                            client.createdAt)))
                    .replaceWith(new IssuedCredential(client.id, orgId, client.clientId, secret, roles, name, client.createdAt));
        });
    }

    /**
     * Creates an API key and its audit record ({@code api_key.created}, target the key's id); the key is in
     * the answer only. Null when there is no such org, or it is being offboarded.
     */
    @WithTransaction
    public Uni<IssuedCredential> createApiKey(UUID orgId, String name, Set<Role> roles, Requester by) {
        return orgs.findActive(orgId).onItem().ifNotNull().transformToUni(org -> {
            ApiKey key = new ApiKey();
            key.id = Ids.newId();
            key.orgId = orgId;
            String secret = "hhk_" + URL.encodeToString(Ids.randomBytes(32));
            key.keyHash = Digests.sha256(secret);
            key.prefix = keyPrefix(secret);
            key.name = name;
            key.roles = names(roles);
            key.createdAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            return keys.persist(key)
                    .call(() -> audit.record(AuditRecord.ofCredential(orgId, "api_key.created", key.id.toString(), by,
                            key.createdAt)))
                    .replaceWith(new IssuedCredential(key.id, orgId, key.prefix, secret, roles, name, key.createdAt));
        });
    }

    /** The client whose id and secret match, or null. The secret is compared by digest in constant time. */
    public Uni<ApiClient> authenticateClient(String clientId, String secret) {
        return clients.live(clientId)
                .map(client -> client != null && Digests.constantTimeEquals(client.secretHash, Digests.sha256(secret))
                        ? client : null);
    }

    /** The caller an API key stands for, or null when the key is unknown or revoked. Asked on every request. */
    public Uni<Caller> apiKeyCaller(String key) {
        return keys.liveGrant(Digests.sha256(key)).map(grant -> grant == null ? null
                : new Caller(grant.orgId(), apiKeyActor(grant.prefix()), roles(grant.roles())));
    }

    /**
     * The caller a token of hookhub's own issuer stands for: its live API client's org and roles, or null
     * when the client is unknown or revoked. Asked when a token is first seen and again after
     * hookhub.auth.verified-token-cache-time, which bounds how long a revoked client's tokens still work.
     */
    public Uni<Caller> clientCaller(String clientId) {
        return clients.live(clientId).map(c -> c == null ? null
                : new Caller(c.orgId, clientActor(clientId), roles(List.of(c.roles))));
    }

    /**
     * The number of the org with this id while it is active, or null: read each time, for a credential's check
     * (a token is checked once per hookhub.auth.verified-token-cache-time), so an offboarded org is refused.
     */
    public Uni<Integer> activeOrgNumber(UUID orgId) {
        return orgs.findActive(orgId).map(org -> org == null ? null : org.number);
    }

    /** The id of the active org with this number, or null: read each time, as {@link #activeOrgNumber}. */
    public Uni<UUID> activeOrgId(int number) {
        return orgs.activeWithNumber(number).map(org -> org == null ? null : org.id);
    }

    /** Forgets an offboarded org's cached number. */
    void forgetOrg(@jakarta.enterprise.event.Observes OrgOffboarded offboarded) {
        orgNumbers.remove(offboarded.orgId());
    }

    /** The public part of an API key, kept beside its digest: its first characters. */
    public static String keyPrefix(String key) {
        return key.substring(0, Math.min(key.length(), KEY_PREFIX_LENGTH));
    }

    /** Who a bearer token's changes are recorded as (audit, createdBy): its subject, an API client's id. */
    public static String clientActor(String subject) {
        return "client:" + subject;
    }

    /** Who a key's changes are recorded as (audit, createdBy): the key's prefix, never the key. */
    public static String apiKeyActor(String prefix) {
        return "api-key:" + prefix;
    }


    static String[] names(Set<Role> roles) {
        return roles.stream().map(Role::name).sorted().toArray(String[]::new);
    }

    public static Set<Role> roles(java.util.Collection<String> names) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        names.forEach(n -> Role.parse(n).ifPresent(roles::add));
        return roles;
    }

    public static Set<String> roleNames(Set<Role> roles) {
        return roles.stream().map(Role::name).collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}

package dev.hookhub.tenancy;

import dev.hookhub.HookhubConfig;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Digests;
import dev.hookhub.support.Ids;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Resolves who is calling. Bearer tokens are verified by quarkus-oidc (lazily: authentication is not
 * proactive, so each surface decides how a missing or bad credential is answered).
 */
@ApplicationScoped
public class Callers {

    /** Why a credential was refused; each surface maps it to its documented status. */
    public enum Refusal { MISSING, INVALID }

    /** A refused credential, carrying why. */
    public static final class Refused extends RuntimeException {
        private final Refusal refusal;

        public Refused(Refusal refusal, String message) {
            super(message, null, false, false);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /** How many addresses' failed verifications are counted at most (InvalidTokenLimiter). */
    private static final int LIMITED_ADDRESSES = 10_000;

    /** Who an operator token's changes are recorded as (audit, createdBy). */
    static final String OPERATOR_ACTOR = Tenancy.clientActor("operator");

    private final CurrentIdentityAssociation identities;
    private final CurrentVertxRequest request;
    private final Tenancy tenancy;
    private final HookhubConfig config;
    private final VerifiedTokens verified;
    private final InvalidTokenLimiter invalidTokens;

    public Callers(CurrentIdentityAssociation identities, CurrentVertxRequest request, Tenancy tenancy,
            HookhubConfig config) {
        this.identities = identities;
        this.request = request;
        this.tenancy = tenancy;
        this.config = config;
        this.verified = new VerifiedTokens(config.auth().verifiedTokenCacheSize(),
                config.auth().verifiedTokenCacheTime().toMillis(), Clock.systemUTC());
        this.invalidTokens = new InvalidTokenLimiter(config.auth().invalidTokensPerSecond(),
                config.auth().invalidTokenBurst(), LIMITED_ADDRESSES, Clock.systemUTC());
    }

    /**
     * The caller of a bearer token; fails with {@link Refused}. A token quarkus-oidc verified before is
     * answered from {@link VerifiedTokens} until it expires.
     */
    public Uni<Caller> bearer() {
        String token = presentedBearerToken();
        Caller known = token == null ? null : verified.get(token);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        String address = token == null ? null : ClientAddress.of(request.getCurrent() == null ? null
                : request.getCurrent().request());
        if (!invalidTokens.mayVerify(address)) {
            return Uni.createFrom().failure(new Refused(Refusal.INVALID,
                    "Too many invalid bearer tokens from this address; retry in a few seconds"));
        }
        return identities.getDeferredIdentity()
                .onFailure().transform(e -> {
                    invalidTokens.failed(address);
                    return new Refused(Refusal.INVALID, "The bearer token is invalid or expired");
                })
                .flatMap(identity -> fromIdentity(identity).invoke(caller -> remember(token, identity, caller)));
    }

    /** The token of the request's single "Authorization: Bearer" header, or null. */
    private String presentedBearerToken() {
        RoutingContext context = request.getCurrent();
        if (context == null) {
            return null;
        }
        List<String> values = context.request().headers().getAll(HttpHeaders.AUTHORIZATION);
        if (values.size() != 1) {
            return null;
        }
        return bearerToken(values.get(0));
    }

    /** The token of an "Authorization: Bearer <token>" value (the scheme in any case), or null. */
    private static String bearerToken(String authorization) {
        return authorization.length() > 7 && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
    }

    /** Keeps the caller of a verified token, when the identity was verified from exactly that token. */
    private void remember(String token, SecurityIdentity identity, Caller caller) {
        TokenCredential credential = identity.getCredential(TokenCredential.class);
        if (token != null && credential != null && token.equals(credential.getToken())
                && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            verified.put(token, caller, jwt.getExpirationTime() * 1000);
        }
    }

    private Uni<Caller> fromIdentity(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().failure(new Refused(Refusal.MISSING,
                    "A bearer token is required (Authorization: Bearer <token>)"));
        }
        Object orgClaim = claim(jwt, config.auth().orgClaim());
        if (orgClaim == null && config.token().issuer().equals(jwt.getIssuer())) {
            // hookhub's tokens carry no aud (they are for hookhub alone); one that names other audiences only
            // is meant for another service that trusts the same keys.
            Set<String> audience = jwt.getAudience();
            if (audience != null && !audience.isEmpty() && !audience.contains(config.token().issuer())) {
                return Uni.createFrom().failure(new Refused(Refusal.INVALID,
                        "The bearer token is meant for another audience"));
            }
            return fromSubject(jwt.getSubject());
        }
        Optional<UUID> org = Ids.parse(claimText(orgClaim));
        if (org.isEmpty()) {
            return Uni.createFrom().failure(new Refused(Refusal.INVALID,
                    "The bearer token carries no org in its '" + config.auth().orgClaim() + "' claim"));
        }
        Caller caller = new Caller(org.get(), Tenancy.clientActor(jwt.getSubject()), Tenancy.roles(identity.getRoles()));
        return tenancy.activeOrgNumber(caller.orgId()).map(number -> {
            if (number == null) {
                throw new Refused(Refusal.INVALID, "The bearer token names an unknown or offboarded org");
            }
            return caller;
        });
    }

    /**
     * The caller of a token of hookhub's own issuer, which names only its subject ({@link TokenIssuer}): a
     * live API client, looked up (so a revoked client's tokens stop working), or the operator in one org.
     */
    private Uni<Caller> fromSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            return Uni.createFrom().failure(new Refused(Refusal.INVALID, "The bearer token names no subject"));
        }
        Optional<TokenIssuer.OperatorSubject> operator = TokenIssuer.operatorSubject(subject);
        if (operator.isPresent()) {
            return tenancy.activeOrgId(operator.get().orgNumber()).map(orgId -> {
                if (orgId == null) {
                    throw new Refused(Refusal.INVALID, "The bearer token names an unknown or offboarded org");
                }
                return new Caller(orgId, OPERATOR_ACTOR, operator.get().roles());
            });
        }
        return tenancy.clientCaller(subject).map(caller -> {
            if (caller == null) {
                throw new Refused(Refusal.INVALID, "The bearer token's API client is revoked or unknown");
            }
            return caller;
        });
    }

    /** Forgets the verified tokens of a revoked client, so this instance refuses them from now on. */
    void forgetClient(@jakarta.enterprise.event.Observes ClientRevoked revoked) {
        verified.forget(Tenancy.clientActor(revoked.clientId()));
    }

    /** Forgets every verified token of an org being offboarded (its clients', operator and external ones). */
    void forgetOrg(@jakarta.enterprise.event.Observes OrgOffboarded offboarded) {
        verified.forgetOrg(offboarded.orgId());
    }

    /** The key of an x-api-key header as presented, trimmed; null when the header is missing or blank. */
    public static String presentedKey(String header) {
        return header == null || header.isBlank() ? null : header.trim();
    }

    /** The caller of an x-api-key; fails with {@link Refused}. */
    public Uni<Caller> apiKey(String header) {
        String key = presentedKey(header);
        if (key == null) {
            return Uni.createFrom().failure(new Refused(Refusal.MISSING, "The x-api-key header is required"));
        }
        return tenancy.apiKeyCaller(key).map(caller -> {
            if (caller == null) {
                throw new Refused(Refusal.INVALID, "The x-api-key is not valid");
            }
            return caller;
        });
    }

    /** Checks the operator's admin token (Authorization: Bearer), in constant time; throws {@link Refused}. */
    public void requireAdmin(String authorization) {
        String expected = config.adminToken().orElse(null);
        if (authorization == null || authorization.isBlank()) {
            throw new Refused(Refusal.MISSING, "The admin token is required (Authorization: Bearer <admin token>)");
        }
        String presented = Objects.requireNonNullElse(bearerToken(authorization), "");
        if (expected == null || !Digests.constantTimeEquals(presented, expected)) {
            throw new Refused(Refusal.INVALID, "The admin token is not valid");
        }
    }

    /**
     * A claim by name. {@link JsonWebToken#getClaim(String)} first looks the name up among the standard
     * claims with {@code Claims.valueOf}, which throws (and fills a stack trace) for every other name such
     * as "org": a tenth of the JVM's CPU per request in the delete benchmark. quarkus-oidc's principal
     * holds the parsed claims, read here directly.
     */
    static Object claim(JsonWebToken jwt, String name) {
        if (jwt instanceof OidcJwtCallerPrincipal oidc) {
            return oidc.getClaims().getClaimValue(name);
        }
        return jwt.getClaim(name);
    }

    private static String claimText(Object claim) {
        if (claim instanceof JsonString s) {
            return s.getString();
        }
        return claim == null ? null : claim.toString();
    }
}

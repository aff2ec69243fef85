package dev.hookhub.tenancy;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.support.Digests;
import dev.hookhub.support.Ids;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Optional;
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

        /** The /v1 answer: 401 naming the problem. */
        public ProblemException asProblem() {
            return ProblemException.unauthorized(getMessage());
        }
    }

    private final CurrentIdentityAssociation identities;
    private final Tenancy tenancy;
    private final HookhubConfig config;

    public Callers(CurrentIdentityAssociation identities, Tenancy tenancy, HookhubConfig config) {
        this.identities = identities;
        this.tenancy = tenancy;
        this.config = config;
    }

    /** The caller of a bearer token; fails with {@link Refused}. */
    public Uni<Caller> bearer() {
        return identities.getDeferredIdentity()
                .onFailure().transform(e -> new Refused(Refusal.INVALID,
                        "The bearer token is invalid or expired"))
                .flatMap(this::fromIdentity);
    }

    private Uni<Caller> fromIdentity(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().failure(new Refused(Refusal.MISSING,
                    "A bearer token is required (Authorization: Bearer <token>)"));
        }
        Optional<UUID> org = Ids.parse(claimText(jwt.getClaim(config.auth().orgClaim())));
        if (org.isEmpty()) {
            return Uni.createFrom().failure(new Refused(Refusal.INVALID,
                    "The bearer token carries no org in its '" + config.auth().orgClaim() + "' claim"));
        }
        Caller caller = new Caller(org.get(), "client:" + jwt.getSubject(), Tenancy.roles(identity.getRoles()));
        return tenancy.orgNumber(caller.orgId()).map(number -> {
            if (number == null) {
                throw new Refused(Refusal.INVALID, "The bearer token names an unknown org");
            }
            return caller;
        });
    }

    /** The caller of an x-api-key; fails with {@link Refused}. */
    public Uni<Caller> apiKey(String key) {
        if (key == null || key.isBlank()) {
            return Uni.createFrom().failure(new Refused(Refusal.MISSING, "The x-api-key header is required"));
        }
        return tenancy.apiKeyCaller(key.trim()).map(caller -> {
            if (caller == null) {
                throw new Refused(Refusal.INVALID, "The x-api-key is not valid");
            }
            return caller;
        });
    }

    /** Checks the operator's admin token (Authorization: Bearer), in constant time. */
    public void requireAdmin(String authorization) {
        String expected = config.adminToken().orElse(null);
        if (authorization == null || authorization.isBlank()) {
            throw ProblemException.unauthorized("The admin token is required (Authorization: Bearer <admin token>)");
        }
        String presented = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        if (expected == null || !Digests.constantTimeEquals(presented, expected)) {
            throw ProblemException.unauthorized("The admin token is not valid");
        }
    }

    private static String claimText(Object claim) {
        if (claim instanceof JsonString s) {
            return s.getString();
        }
        return claim == null ? null : claim.toString();
    }
}

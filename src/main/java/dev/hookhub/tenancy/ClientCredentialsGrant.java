package dev.hookhub.tenancy;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * The OAuth2 client-credentials grant (RFC 6749 §4.4), shared by POST /oauth/token and Identity Cloud's
 * POST /{customerId}/login/token: credentials by HTTP Basic or as fields, a token from {@link TokenIssuer}.
 * A refused grant fails with {@link Refused}, carrying RFC 6749's error code; each surface answers it in
 * its own shape.
 */
@ApplicationScoped
public class ClientCredentialsGrant {

    /** RFC 6749 §5.2 error codes this grant answers with. */
    public enum Error {
        INVALID_REQUEST("invalid_request"), INVALID_CLIENT("invalid_client"),
        UNSUPPORTED_GRANT_TYPE("unsupported_grant_type");

        public final String code;

        Error(String code) {
            this.code = code;
        }
    }

    /** A refused grant: the RFC 6749 error and a sentence for the caller. */
    public static final class Refused extends RuntimeException {
        private final Error error;

        public Refused(Error error, String message) {
            super(message, null, false, false);
            this.error = error;
        }

        public Error error() {
            return error;
        }
    }

    /** The grant's fields as sent (each may be missing). */
    public record Request(String grantType, String clientId, String clientSecret) {
    }

    /** An issued access token and its lifetime in seconds. */
    public record Issued(String accessToken, long expiresIn) {
    }

    private final Tenancy tenancy;
    private final TokenIssuer issuer;

    public ClientCredentialsGrant(Tenancy tenancy, TokenIssuer issuer) {
        this.tenancy = tenancy;
        this.issuer = issuer;
    }

    /**
     * Issues a token for the grant (a missing request is no fields); when {@code requiredOrg} is set the
     * client must belong to it. The Authorization header's Basic credentials win over the fields. Every
     * refusal, the checks of the request's own fields included, is a failed item.
     */
    public Uni<Issued> grant(String authorization, Request request, UUID requiredOrg) {
        return Uni.createFrom().deferred(() -> issue(authorization, request, requiredOrg));
    }

    private Uni<Issued> issue(String authorization, Request request, UUID requiredOrg) {
        Request r = request == null ? new Request(null, null, null) : request;
        if (!issuer.enabled()) {
            throw new Refused(Error.UNSUPPORTED_GRANT_TYPE,
                    "This service does not issue tokens; use the configured OIDC provider");
        }
        String id = r.clientId();
        String secret = r.clientSecret();
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new Refused(Error.INVALID_CLIENT, "The Basic credentials are not valid base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new Refused(Error.INVALID_CLIENT, "The Basic credentials must be client_id:client_secret");
            }
            id = decoded.substring(0, colon);
            secret = decoded.substring(colon + 1);
        }
        String grantType = r.grantType();
        if (grantType == null || grantType.isBlank()) {
            throw new Refused(Error.INVALID_REQUEST, "grant_type is required (client_credentials)");
        }
        if (!grantType.equals("client_credentials")) {
            throw new Refused(Error.UNSUPPORTED_GRANT_TYPE,
                    "grant_type '" + grantType + "' is not supported; use client_credentials");
        }
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            throw new Refused(Error.INVALID_CLIENT,
                    "Client credentials are required (HTTP Basic or client_id and client_secret)");
        }
        return tenancy.authenticateClient(id, secret).map(client -> {
            if (client == null || (requiredOrg != null && !requiredOrg.equals(client.orgId))) {
                throw new Refused(Error.INVALID_CLIENT, "The client credentials are not valid");
            }
            return new Issued(issuer.issue(client), issuer.lifetimeSeconds());
        });
    }
}

package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.negotiation.FormBody;
import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.tenancy.ApiClient;
import dev.hookhub.tenancy.Tenancy;
import dev.hookhub.tenancy.TokenIssuer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * POST /oauth/token: OAuth2 client credentials (RFC 6749 §4.4). Credentials by HTTP Basic or body
 * fields; form, JSON or MessagePack bodies. Errors are problem details that also carry the RFC 6749
 * {@code error} code, so OAuth client libraries understand them.
 */
@Path("/oauth/token")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class TokenResource {

    private final ClientCredentials credentials;

    public TokenResource(ClientCredentials credentials) {
        this.credentials = credentials;
    }

    @Access(Access.Who.PUBLIC)
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<RestResponse<V1Dtos.TokenView>> form(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            byte[] body) {
        return credentials.token(authorization, ClientCredentials.form(body), null);
    }

    @Access(Access.Who.PUBLIC)
    @POST
    @Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
    public Uni<RestResponse<V1Dtos.TokenView>> body(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            V1Dtos.TokenRequest body) {
        return credentials.token(authorization, body, null);
    }

    /** The client-credentials grant, shared by /oauth/token and Identity Cloud's /{customerId}/login/token. */
    @ApplicationScoped
    public static class ClientCredentials {

        private final Tenancy tenancy;
        private final TokenIssuer issuer;

        public ClientCredentials(Tenancy tenancy, TokenIssuer issuer) {
            this.tenancy = tenancy;
            this.issuer = issuer;
        }

        /** The grant's fields from a form body; an undecodable form is RFC 6749's invalid_request. */
        public static V1Dtos.TokenRequest form(byte[] body) {
            try {
                FormBody form = FormBody.parse(body);
                return new V1Dtos.TokenRequest(form.first("grant_type"), form.first("client_id"),
                        form.first("client_secret"));
            } catch (ProblemException e) {
                throw oauth(400, "invalid_request", e.problem().detail());
            }
        }

        /** Issues a token for the grant's fields (a missing body is no fields). */
        public Uni<RestResponse<V1Dtos.TokenView>> token(String authorization, V1Dtos.TokenRequest request,
                UUID requiredOrg) {
            V1Dtos.TokenRequest r = request == null ? new V1Dtos.TokenRequest(null, null, null) : request;
            return token(authorization, r.grantType(), r.clientId(), r.clientSecret(), requiredOrg);
        }

        /** Issues a token; when {@code requiredOrg} is set the client must belong to it. */
        public Uni<RestResponse<V1Dtos.TokenView>> token(String authorization, String grantType, String clientId,
                String clientSecret, UUID requiredOrg) {
            if (!issuer.enabled()) {
                throw oauth(400, "unsupported_grant_type", "This service does not issue tokens; use the configured OIDC provider");
            }
            String id = clientId;
            String secret = clientSecret;
            if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw oauth(401, "invalid_client", "The Basic credentials are not valid base64");
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw oauth(401, "invalid_client", "The Basic credentials must be client_id:client_secret");
                }
                id = decoded.substring(0, colon);
                secret = decoded.substring(colon + 1);
            }
            if (grantType == null || grantType.isBlank()) {
                throw oauth(400, "invalid_request", "grant_type is required (client_credentials)");
            }
            if (!grantType.equals("client_credentials")) {
                throw oauth(400, "unsupported_grant_type", "grant_type '" + grantType + "' is not supported; use client_credentials");
            }
            if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
                throw oauth(401, "invalid_client", "Client credentials are required (HTTP Basic or client_id and client_secret)");
            }
            return tenancy.authenticateClient(id, secret).flatMap(client -> {
                if (client == null || (requiredOrg != null && !requiredOrg.equals(client.orgId))) {
                    return Uni.createFrom().failure(oauth(401, "invalid_client", "The client credentials are not valid"));
                }
                return Uni.createFrom().item(tokenFor(client));
            });
        }

        private RestResponse<V1Dtos.TokenView> tokenFor(ApiClient client) {
            return RestResponse.ResponseBuilder.ok(new V1Dtos.TokenView(issuer.issue(client), "Bearer",
                    issuer.lifetimeSeconds())).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
        }

        private static ProblemException oauth(int status, String error, String detail) {
            return new ProblemException(new Problem("about:blank", status == 401 ? "Unauthorized" : "Bad Request",
                    status, detail, null, error));
        }
    }
}

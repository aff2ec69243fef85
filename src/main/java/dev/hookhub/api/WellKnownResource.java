package dev.hookhub.api;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.tenancy.TokenIssuer;
import dev.hookhub.tenancy.TokenKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * hookhub as an OIDC provider for its own tokens: the discovery document (OpenID Connect Discovery 1.0)
 * and the JWK set it points to, so another service, or a second hookhub with
 * {@code QUARKUS_OIDC_AUTH_SERVER_URL} set to this one, verifies hookhub's tokens by their {@code kid}.
 * Absolute addresses use {@code hookhub.public-base-url} when set, else the request's own origin. Both
 * answer 404 where hookhub issues no tokens (an external provider does).
 */
@Path("/.well-known")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class WellKnownResource {

    /** Key sets change only with a restart; a day-long cache would delay a rotation's second step. */
    private static final String CACHE = "public, max-age=300";

    private final TokenIssuer issuer;
    private final TokenKeys keys;
    private final HookhubConfig config;

    public WellKnownResource(TokenIssuer issuer, TokenKeys keys, HookhubConfig config) {
        this.issuer = issuer;
        this.keys = keys;
        this.config = config;
    }

    @Access(Access.Who.PUBLIC)
    @GET
    @Path("/openid-configuration")
    public RestResponse<Map<String, Object>> discovery(@Context UriInfo uri) {
        requireIssuer();
        String base = config.publicBaseUrl().map(b -> b.replaceAll("/+$", ""))
                .orElseGet(() -> uri.getBaseUri().toString().replaceAll("/+$", ""));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", config.token().issuer());
        document.put("jwks_uri", base + "/.well-known/jwks.json");
        document.put("token_endpoint", base + "/oauth/token");
        document.put("grant_types_supported", List.of("client_credentials"));
        document.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        document.put("response_types_supported", List.of("token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported",
                keys.all().stream().map(TokenKeys.VerificationKey::alg).distinct().toList());
        return RestResponse.ResponseBuilder.ok(document).header("Cache-Control", CACHE).build();
    }

    /** Served as {@code /.well-known/jwks.json} too: the {@code .json} suffix is a format suffix on any route. */
    @Access(Access.Who.PUBLIC)
    @GET
    @Path("/jwks")
    public RestResponse<Map<String, Object>> jwks() {
        requireIssuer();
        return RestResponse.ResponseBuilder.ok(keys.jwks()).header("Cache-Control", CACHE).build();
    }

    private void requireIssuer() {
        if (!issuer.enabled()) {
            throw ProblemException.notFound("This service issues no tokens; its OIDC provider publishes the keys");
        }
    }
}

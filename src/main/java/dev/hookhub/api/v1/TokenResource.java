package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.api.OAuthToken;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.tenancy.ClientCredentialsGrant;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * POST /oauth/token: OAuth2 client credentials (RFC 6749 §4.4). Credentials by HTTP Basic or body
 * fields; form, JSON or MessagePack bodies. The grant is {@link ClientCredentialsGrant}; its answers and
 * errors (problem details that also carry the RFC 6749 {@code error} code) are {@link OAuthToken}'s.
 */
@Path("/oauth/token")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class TokenResource {

    private final ClientCredentialsGrant grant;

    public TokenResource(ClientCredentialsGrant grant) {
        this.grant = grant;
    }

    @Access(Access.Who.PUBLIC)
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<RestResponse<OAuthToken.Answer>> form(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            byte[] body) {
        return OAuthToken.answer(grant, authorization, OAuthToken.form(body), null);
    }

    @Access(Access.Who.PUBLIC)
    @POST
    @Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
    public Uni<RestResponse<OAuthToken.Answer>> body(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            OAuthToken.Request body) {
        return OAuthToken.answer(grant, authorization, body, null);
    }
}

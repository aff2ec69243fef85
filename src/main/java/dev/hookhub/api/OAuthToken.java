package dev.hookhub.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hookhub.negotiation.FormBody;
import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.tenancy.ClientCredentialsGrant;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The OAuth2 token endpoint's wire shape (RFC 6749 §4.4 and §5), shared by POST /oauth/token and Identity
 * Cloud's POST /{customerId}/login/token: the request's fields (form, JSON or MessagePack), the answer
 * ({@code access_token}, {@code token_type}, {@code expires_in}, {@code Cache-Control: no-store}), and a
 * refused grant as a problem document that also carries RFC 6749's {@code error} code (401 for
 * invalid_client, else 400), so OAuth client libraries understand it.
 */
public final class OAuthToken {

    private OAuthToken() {
    }

    /** The request's fields in RFC 6749's names. */
    @RegisterForReflection
    public record Request(@JsonProperty("grant_type") String grantType,
            @JsonProperty("client_id") String clientId, @JsonProperty("client_secret") String clientSecret) {

        ClientCredentialsGrant.Request grant() {
            return new ClientCredentialsGrant.Request(grantType, clientId, clientSecret);
        }
    }

    /** The answer in RFC 6749's names. */
    @RegisterForReflection
    public record Answer(@JsonProperty("access_token") String accessToken,
            @JsonProperty("token_type") String tokenType, @JsonProperty("expires_in") long expiresIn) {

        public static Answer bearer(String accessToken, long expiresIn) {
            return new Answer(accessToken, "Bearer", expiresIn);
        }
    }

    /** The grant's fields from a form body; an undecodable form is RFC 6749's invalid_request. */
    public static Request form(byte[] body) {
        try {
            FormBody form = FormBody.parse(body);
            return new Request(form.first("grant_type"), form.first("client_id"), form.first("client_secret"));
        } catch (ProblemException e) {
            throw problem(new ClientCredentialsGrant.Refused(ClientCredentialsGrant.Error.INVALID_REQUEST,
                    e.problem().detail()));
        }
    }

    /** Runs the grant and answers it the OAuth way. */
    public static Uni<RestResponse<Answer>> answer(ClientCredentialsGrant grant, String authorization, Request request,
            java.util.UUID requiredOrg) {
        return grant.grant(authorization, request == null ? null : request.grant(), requiredOrg)
                .onFailure(ClientCredentialsGrant.Refused.class).transform(e -> problem((ClientCredentialsGrant.Refused) e))
                .map(token -> RestResponse.ResponseBuilder.ok(Answer.bearer(token.accessToken(), token.expiresIn()))
                        .header(HttpHeaders.CACHE_CONTROL, "no-store").build());
    }

    private static ProblemException problem(ClientCredentialsGrant.Refused refused) {
        boolean client = refused.error() == ClientCredentialsGrant.Error.INVALID_CLIENT;
        return new ProblemException(new Problem("about:blank", client ? "Unauthorized" : "Bad Request",
                client ? 401 : 400, refused.getMessage(), null, refused.error().code));
    }
}

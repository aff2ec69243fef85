package dev.hookhub.api.compat.identitycloud;

import dev.hookhub.api.Access;
import dev.hookhub.api.OAuthToken;
import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.DeletionTimedOut;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Callers;
import dev.hookhub.tenancy.ClientCredentialsGrant;
import dev.hookhub.tenancy.Tenancy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.Duration;
import java.util.UUID;

/**
 * Identity Cloud (Janrain) webhooks v3 (API.md §6): {@code POST /{customerId}/login/token} issues a
 * token to a client of that customer, {@code DELETE /{customerId}/webhooks/subscriptions/{id}} deletes
 * with it and answers 204. As the seed says, every token problem (missing, invalid, expired, another
 * customer's, a Viewer's) is 403, and an unknown or malformed customer or subscription is 404. A
 * malformed id is judged first (it cannot name anything); whether a well-formed customer exists is
 * only told to a caller with a valid token.
 *
 * <p>Both routes carry literal segments after {customerId}, so they claim no path of another surface
 * (/v1/…, /oauth/token, /hooks/{id}, /webhooks/unregister/{id}, /sync/…, /api/…, /json/reply/…).
 */
@Path("/{customerId}")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class IdentityCloudResource {

    static final String SURFACE = "identitycloud";

    /**
     * "The Webhooks v3 APIs all have an API response timeout of 10 seconds": the delete statement gets
     * 9 s (lock waits included) and is rolled back past it; the token check before it is a signature
     * check and a cached org lookup, which leaves the rest of the second as margin.
     */
    static final Duration TIME_LIMIT = Duration.ofSeconds(9);

    private final Callers callers;
    private final Tenancy tenancy;
    private final SubscriptionDeletion deletion;
    private final ClientCredentialsGrant grant;

    public IdentityCloudResource(Callers callers, Tenancy tenancy, SubscriptionDeletion deletion,
            ClientCredentialsGrant grant) {
        this.callers = callers;
        this.tenancy = tenancy;
        this.deletion = deletion;
        this.grant = grant;
    }

    /** Client credentials by HTTP Basic (the seed's confidential client) or form fields. */
    @Access(Access.Who.PUBLIC)
    @POST
    @Path("/login/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<RestResponse<OAuthToken.Answer>> token(@PathParam("customerId") String customerId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        UUID customer = customer(customerId);
        return OAuthToken.answer(grant, authorization, OAuthToken.form(body), customer);
    }

    /** The same grant with a JSON or MessagePack body, as /oauth/token takes it. */
    @Access(Access.Who.PUBLIC)
    @POST
    @Path("/login/token")
    @Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
    public Uni<RestResponse<OAuthToken.Answer>> tokenFromBody(@PathParam("customerId") String customerId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, OAuthToken.Request body) {
        return OAuthToken.answer(grant, authorization, body, customer(customerId));
    }

    /**
     * 204 once the subscription and its queued events are gone. Past the time limit nothing is changed
     * and the answer is 503 (the service could not finish in time; retrying is safe): 504 would blame
     * an upstream gateway, and a 500 would not say that nothing happened.
     */
    @Access(Access.Who.DIALECT_TOKEN)
    @DELETE
    @Path("/webhooks/subscriptions/{subscriptionId}")
    public Uni<RestResponse<Void>> delete(@PathParam("customerId") String customerId,
            @PathParam("subscriptionId") String subscriptionId, @Context HttpServerRequest http) {
        UUID customer = customer(customerId);
        UUID id = Ids.parse(subscriptionId).orElseThrow(() -> subscriptionNotFound(subscriptionId));
        return callers.bearer()
                .onFailure(Callers.Refused.class).transform(e -> ProblemException.forbidden(e.getMessage()))
                .flatMap(caller -> ofCustomer(caller, customer))
                .flatMap(caller -> deletion.delete(DeletionRequest.of(new DeletionScope.ById(customer, id),
                        caller.actor(), SURFACE, ClientAddress.of(http)).within(TIME_LIMIT)))
                .onFailure(DeletionTimedOut.class).transform(e -> new ProblemException(Problem.of(503,
                        "Service Unavailable", "The delete did not finish within the 10 second limit; nothing was "
                                + "changed, so it is safe to retry")))
                .onItem().ifNull().failWith(() -> subscriptionNotFound(subscriptionId))
                .map(deleted -> RestResponse.noContent());
    }

    /**
     * The caller may delete in this customer: its token is the customer's (403 otherwise, or 404 when
     * no such customer exists) and carries Admin or Dispatcher.
     */
    private Uni<Caller> ofCustomer(Caller caller, UUID customer) {
        if (!caller.orgId().equals(customer)) {
            return tenancy.orgNumber(customer).map(number -> {
                throw number == null ? customerNotFound(customer.toString())
                        : ProblemException.forbidden("The access token is not for customer " + customer);
            });
        }
        if (!caller.canWrite()) {
            return Uni.createFrom().failure(ProblemException.forbidden(
                    "The access token needs role Admin or Dispatcher to delete a webhook subscription"));
        }
        return Uni.createFrom().item(caller);
    }

    private static UUID customer(String customerId) {
        return Ids.parse(customerId).orElseThrow(() -> customerNotFound(customerId));
    }

    private static ProblemException customerNotFound(String customerId) {
        return ProblemException.notFound("No customer '" + customerId + "'");
    }

    private static ProblemException subscriptionNotFound(String subscriptionId) {
        return ProblemException.notFound("No webhook subscription '" + subscriptionId + "'");
    }
}

package dev.hookhub.api.compat.servicestack;

import dev.hookhub.api.Access;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.DeleteWebhookSubscriptionResponse;
import dev.hookhub.negotiation.ProblemResponses;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.SecretForms;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The PwC report-filing ServiceStack service's {@code DeleteWebhookSubscription}: its custom route and
 * ServiceStack's predefined routes for the DTO. The subscription's own secret is the credential.
 * Every failure of these routes is answered in ServiceStack's {@code responseStatus} shape (the
 * exception mapper below), in the negotiated format.
 *
 * <p>The four routes are one exact template: a class at {@code /} would be the last resort of every path
 * without a more specific prefix, turning other resources' 405s into 404s ({@code /{customerId}/...}).
 */
@Path("/{route: " + ServiceStackResource.ROUTES + "}")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class ServiceStackResource {

    /** The custom route (the id in the path) and the DTO's predefined routes (the id in the body). */
    static final String ROUTES = "sync/webhooks/subscriptions/[^/]+/delete"
            + "|json/reply/DeleteWebhookSubscription"
            + "|x-msgpack/reply/DeleteWebhookSubscription"
            + "|api/DeleteWebhookSubscription";

    static final String SURFACE = "servicestack";
    /** Who deletes here: whoever holds the subscription's secret (audit actor and deletedBy). */
    static final String ACTOR = "secret-holder";

    private final SubscriptionDeletion deletion;
    private final SecretForms secrets;
    private final WrongSecretThrottle throttle;
    private final WireCodecs codecs;
    private final ProblemResponses responses;
    private final int historyLimit;
    private final DatabaseOutage outage;

    public ServiceStackResource(SubscriptionDeletion deletion, SecretForms secrets, WrongSecretThrottle throttle,
            WireCodecs codecs, ProblemResponses responses, ServiceStackConfig config, DatabaseOutage outage) {
        this.outage = outage;
        this.deletion = deletion;
        this.secrets = secrets;
        this.throttle = throttle;
        this.codecs = codecs;
        this.responses = responses;
        this.historyLimit = config.historyLimit();
    }

    @Access(Access.Who.SUBSCRIPTION_SECRET)
    @POST
    public Uni<DeleteWebhookSubscriptionResponse> delete(@PathParam("route") String route,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body,
            @Context HttpServerRequest http) {
        return delete(ServiceStackDeleteRequest.parse(route, contentType, body, codecs), http);
    }

    @ServerExceptionMapper
    public Response failed(Throwable failure, ContainerRequestContext request) {
        ServiceStackError error = ServiceStackError.from(failure, outage,
                request.getMethod() + " " + request.getUriInfo().getPath());
        Response response = responses.body(ProblemResponses.formatOf(request), error.status(), error.body());
        return error.retryAfterSeconds() > 0
                ? Response.fromResponse(response).header(HttpHeaders.RETRY_AFTER, error.retryAfterSeconds()).build()
                : response;
    }

    /** The secret is the proof: checked by the core's delete on the locked row, with tries throttled per id. */
    private Uni<DeleteWebhookSubscriptionResponse> delete(ServiceStackDeleteRequest asked, HttpServerRequest http) {
        UUID id = asked.id();
        String presented = asked.secret();
        WrongSecretThrottle.Try attempt = throttle.admit(id);
        // Checked on the locked row before commit: a wrong secret rolls the whole delete back. The owner's
        // sealed copy is made there too, so a failure to seal also changes nothing.
        AtomicReference<String> sealed = new AtomicReference<>();
        DeletionRequest request = DeletionRequest.of(new DeletionScope.BySecret(id), ACTOR, SURFACE, ClientAddress.of(http))
                .withHistory(historyLimit)
                .verifiedBy(found -> {
                    if (!secrets.matches(found.id(), found.currentSecret(), presented)) {
                        throw ServiceStackError.wrongSecret();
                    }
                    if (found.ownerPublicKey() != null) {
                        sealed.set(SecretForms.sealedFor(found.ownerPublicKey(), presented));
                    }
                });
        return deletion.delete(request)
                .onFailure().invoke(failure -> {
                    // Only a wrong secret (401) keeps its throttle slot.
                    if (!(failure instanceof ServiceStackError error && error.status() == 401)) {
                        attempt.release();
                    }
                })
                .onItem().invoke(deleted -> {
                    if (deleted == null) {
                        attempt.release();
                    } else {
                        attempt.deleted();
                    }
                })
                .onItem().ifNull().failWith(() -> ServiceStackError.notFound(id))
                .map(deleted -> ServiceStackMapper.response(deleted, sealed.get()));
    }
}

package dev.hookhub.api.compat.servicestack;

import dev.hookhub.api.Access;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.DeleteWebhookSubscription;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.DeleteWebhookSubscriptionResponse;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.ResponseError;
import dev.hookhub.negotiation.FormBody;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.ProblemResponses;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.SecretForms;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Ids;
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

import java.util.ArrayList;
import java.util.List;
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
    private static final String CUSTOM_ROUTE = "sync/webhooks/subscriptions/";
    private static final String DELETE_SUFFIX = "/delete";

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
        String pathId = route.startsWith(CUSTOM_ROUTE)
                ? route.substring(CUSTOM_ROUTE.length(), route.length() - DELETE_SUFFIX.length()) : null;
        return delete(pathId, read(contentType, body), http);
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

    private Uni<DeleteWebhookSubscriptionResponse> delete(String pathId, DeleteWebhookSubscription body,
            HttpServerRequest http) {
        UUID id = validate(pathId, body);
        String presented = body.secret();
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

    /** The subscription id, or 400 listing every invalid field (path and body ids must agree). */
    private static UUID validate(String pathId, DeleteWebhookSubscription body) {
        List<ResponseError> errors = new ArrayList<>();
        String id = isBlank(body.id()) ? pathId : body.id();
        if (!isBlank(body.id()) && pathId != null && !body.id().equalsIgnoreCase(pathId)) {
            errors.add(new ResponseError("Equal", "Id",
                    "'Id' must be equal to the Id in the path ('" + pathId + "'), got '" + body.id() + "'."));
        } else if (isBlank(id)) {
            errors.add(ServiceStackError.notEmpty("Id"));
        } else if (Ids.parse(id).isEmpty()) {
            errors.add(new ResponseError("InvalidFormat", "Id",
                    "'Id' must be a webhook subscription id (a UUID), got '" + id + "'."));
        }
        if (isBlank(body.secret())) {
            errors.add(ServiceStackError.notEmpty("Secret"));
        }
        if (!errors.isEmpty()) {
            throw ServiceStackError.invalid(errors);
        }
        return Ids.parse(id).orElseThrow();
    }

    /** The request DTO from a JSON, MessagePack or form body (no body: an empty DTO). */
    private DeleteWebhookSubscription read(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            return new DeleteWebhookSubscription(null, null);
        }
        if (FormBody.isForm(contentType)) {
            try {
                FormBody form = FormBody.parse(body);
                return new DeleteWebhookSubscription(form.firstIgnoringCase("id"), form.firstIgnoringCase("secret"));
            } catch (ProblemException e) {
                throw ServiceStackError.unreadable(e.problem());
            }
        }
        WireFormat format = WireFormat.fromContentType(contentType).orElse(null);
        if (format == null) {
            throw ServiceStackError.unsupported(contentType);
        }
        try {
            DeleteWebhookSubscription dto = (DeleteWebhookSubscription) codecs.readBody(format, body,
                    DeleteWebhookSubscription.class);
            return dto == null ? new DeleteWebhookSubscription(null, null) : dto;
        } catch (ProblemException e) {
            throw ServiceStackError.unreadable(e.problem());
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}

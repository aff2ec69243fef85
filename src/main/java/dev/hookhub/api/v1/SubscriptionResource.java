package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.HookhubConfig;
import dev.hookhub.delivery.DeliveryControl;
import dev.hookhub.delivery.ManualDeliveries;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.Subscription;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.subscription.SubscriptionService;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Requester;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.UUID;

/** /v1/subscriptions: the native API over the subscription store (API.md §5). */
@Path("/v1/subscriptions")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
@Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class SubscriptionResource {

    static final String SURFACE = "v1";
    private static final int MAX_SEARCH = 200;

    private final V1Access access;
    private final SubscriptionService subscriptions;
    private final SubscriptionDeletion deletion;
    private final ManualDeliveries manual;
    private final DeliveryControl control;
    private final HookhubConfig config;

    public SubscriptionResource(V1Access access, SubscriptionService subscriptions, SubscriptionDeletion deletion,
            ManualDeliveries manual, DeliveryControl control, HookhubConfig config) {
        this.access = access;
        this.subscriptions = subscriptions;
        this.deletion = deletion;
        this.manual = manual;
        this.control = control;
        this.config = config;
    }

    @Access(Access.Who.WRITER)
    @POST
    public Uni<RestResponse<V1Dtos.SubscriptionView>> create(V1Dtos.SubscriptionInput input,
            @Context HttpServerRequest http) {
        V1Dtos.SubscriptionInput body = requireBody(input);
        return access.writer()
                .flatMap(caller -> subscriptions.create(caller, V1Mapper.draft(body), V1Access.requester(caller, http)))
                .map(created -> RestResponse.ResponseBuilder
                        .<V1Dtos.SubscriptionView>created(URI.create("/v1/subscriptions/" + created.subscription().id))
                        .entity(V1Mapper.view(created.subscription(), created.secret(), created.keyId(), null,
                                config.delivery()))
                        .build());
    }

    @Access(Access.Who.READER)
    @GET
    public Uni<V1Dtos.SubscriptionPage> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("q") String q) {
        int pageSize = V1Paging.pageSize(limit, config);
        UUID after = V1Paging.decodeCursor(cursor, text -> Ids.parse(text).orElseThrow());
        String search = search(q);
        return access.reader()
                .flatMap(caller -> subscriptions.page(caller, search, after, pageSize + 1))
                .map(rows -> {
                    V1Paging.Slice<Subscription> page = V1Paging.slice(rows, pageSize, s -> s.id.toString());
                    return new V1Dtos.SubscriptionPage(page.map(this::view), page.nextCursor());
                });
    }

    @Access(Access.Who.READER)
    @GET
    @Path("/{id}")
    public Uni<V1Dtos.SubscriptionView> get(@PathParam("id") String id) {
        UUID subscriptionId = V1Access.id("id", id);
        return access.reader()
                .flatMap(caller -> control.find(caller.orgId(), subscriptionId))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(this::view);
    }

    @Access(Access.Who.WRITER)
    @PATCH
    @Path("/{id}")
    public Uni<V1Dtos.SubscriptionView> change(@PathParam("id") String id, V1Dtos.SubscriptionInput input,
            @Context HttpServerRequest http) {
        UUID subscriptionId = V1Access.id("id", id);
        V1Dtos.SubscriptionInput body = requireBody(input);
        return access.writer()
                .flatMap(caller -> subscriptions.change(caller, subscriptionId, V1Mapper.draft(body),
                        V1Access.requester(caller, http)))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(this::view);
    }

    /** The body ({"secret": ...}) is optional, so a bare POST without a Content-Type works too. */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/secret/rotate")
    @Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE, MediaType.WILDCARD})
    public Uni<V1Dtos.RotationView> rotate(@PathParam("id") String id, V1Dtos.RotateInput input,
            @Context HttpServerRequest http) {
        UUID subscriptionId = V1Access.id("id", id);
        String given = input == null ? null : input.secret();
        return access.writer()
                .flatMap(caller -> subscriptions.rotate(caller, subscriptionId, given, V1Access.requester(caller, http)))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(r -> new V1Dtos.RotationView(subscriptionId, r.keyId(), r.secret(), r.previousValidUntil()));
    }

    @Access(Access.Who.WRITER)
    @DELETE
    @Path("/{id}")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id, @Context HttpServerRequest http) {
        UUID subscriptionId = V1Access.id("id", id);
        return access.writer()
                .flatMap(caller -> deletion.delete(DeletionRequest.of(new DeletionScope.ById(caller.orgId(), subscriptionId),
                        caller.actor(), SURFACE, ClientAddress.of(http))))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(deleted -> RestResponse.noContent());
    }

    /**
     * Queues a test event to this subscription alone (not to others listening to the type) and answers
     * 202 with the event and delivery ids to follow. No body; {@code ?type=} picks one of its event
     * types (default: its first).
     */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/test")
    @Consumes(MediaType.WILDCARD)
    public Uni<RestResponse<V1Dtos.TestSent>> test(@PathParam("id") String id, @QueryParam("type") String type) {
        UUID subscriptionId = V1Access.id("id", id);
        return access.writer()
                .flatMap(caller -> manual.sendTest(caller.orgId(), subscriptionId, type, caller.actor()))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(sent -> RestResponse.status(RestResponse.Status.ACCEPTED,
                        new V1Dtos.TestSent(sent.eventId(), sent.deliveryId(), sent.type())));
    }

    /**
     * Pauses the subscription: its deliveries are held, queued and unattempted, until it is resumed. 200 with the
     * subscription (paused, pausedAt, held); pausing a paused one changes nothing. Any body is ignored.
     */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/pause")
    @Consumes(MediaType.WILDCARD)
    public Uni<V1Dtos.SubscriptionView> pause(@PathParam("id") String id, @Context HttpServerRequest http) {
        return control(id, http, control::pause);
    }

    /** Resumes a paused subscription; resuming one that is not paused changes nothing. Any body is ignored. */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/resume")
    @Consumes(MediaType.WILDCARD)
    public Uni<V1Dtos.SubscriptionView> resume(@PathParam("id") String id, @Context HttpServerRequest http) {
        return control(id, http, control::resume);
    }

    /** A pause or a resume: the writer's own live subscription, 404 otherwise; the view with its held count. */
    private Uni<V1Dtos.SubscriptionView> control(String id, HttpServerRequest http, ControlAction action) {
        UUID subscriptionId = V1Access.id("id", id);
        return access.writer()
                .flatMap(caller -> action.apply(caller.orgId(), subscriptionId, V1Access.requester(caller, http)))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(this::view);
    }

    @FunctionalInterface
    private interface ControlAction {
        Uni<DeliveryControl.Controlled> apply(UUID orgId, UUID id, Requester by);
    }

    /**
     * Bulk retry: re-queues, due now, the subscription's deliveries published in [since, until) that failed for
     * good or wait for a retry (README, "Delivery control"). 200 with how many.
     */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/recover")
    public Uni<V1Dtos.Recovered> recover(@PathParam("id") String id, V1Dtos.RecoverInput input,
            @Context HttpServerRequest http) {
        UUID subscriptionId = V1Access.id("id", id);
        V1Dtos.RecoverInput body = requireBody(input);
        return access.writer()
                .flatMap(caller -> control.recover(caller.orgId(), subscriptionId, body.since(), body.until(),
                        body.eventTypes(), V1Access.requester(caller, http)))
                .onItem().ifNull().failWith(() -> notFound(subscriptionId))
                .map(r -> new V1Dtos.Recovered(r.requeued(), r.since(), r.until(), r.next()));
    }

    private V1Dtos.SubscriptionView view(Subscription s) {
        return V1Mapper.view(s, null, null, null, config.delivery());
    }

    private V1Dtos.SubscriptionView view(DeliveryControl.Controlled c) {
        return V1Mapper.view(c.subscription(), null, null, c.held(), config.delivery());
    }

    /** The {@code q} filter of the list: trimmed, at most 200 characters; null for none. */
    private static String search(String q) {
        if (q == null || q.isBlank()) {
            return null;
        }
        if (q.length() > MAX_SEARCH) {
            throw ProblemException.badRequest("Query parameter 'q' must be at most " + MAX_SEARCH + " characters");
        }
        return q.strip();
    }

    static ProblemException notFound(UUID id) {
        return ProblemException.notFound("No subscription " + id);
    }

    static <T> T requireBody(T body) {
        if (body == null) {
            throw ProblemException.badRequest("A request body is required");
        }
        return body;
    }
}

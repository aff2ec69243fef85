package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.HookhubConfig;
import dev.hookhub.delivery.DeliveryHistory;
import dev.hookhub.delivery.EventErasure;
import dev.hookhub.delivery.EventPublisher;
import dev.hookhub.delivery.OperationalEvents;
import dev.hookhub.delivery.Payloads;
import dev.hookhub.negotiation.BodyLimit;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.SubscriptionRules;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.UUID;

/** /v1/events: publish an event to the org's matching subscriptions, follow its deliveries, erase it (API.md §5, §7, §8). */
@Path("/v1/events")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
@Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class EventResource {

    private static final int MAX_IDEMPOTENCY_KEY = 200;
    /** An event has one delivery per subscription and a bounded retry schedule, so this is its whole timeline. */
    static final int MAX_EVENT_ATTEMPTS = 1000;

    private final V1Access access;
    private final EventPublisher publisher;
    private final DeliveryHistory history;
    private final Payloads payloads;
    private final SubscriptionRules rules;
    private final HookhubConfig config;
    private final EventErasure erasure;

    public EventResource(V1Access access, EventPublisher publisher, DeliveryHistory history, Payloads payloads,
            SubscriptionRules rules, HookhubConfig config, EventErasure erasure) {
        this.access = access;
        this.publisher = publisher;
        this.history = history;
        this.payloads = payloads;
        this.rules = rules;
        this.config = config;
        this.erasure = erasure;
    }

    @Access(Access.Who.WRITER)
    @POST
    public Uni<RestResponse<V1Dtos.EventAccepted>> publish(V1Dtos.EventInput input) {
        V1Dtos.EventInput body = SubscriptionResource.requireBody(input);
        return access.writer().flatMap(caller -> {
            String type = rules.eventType("type", body.type());
            if (OperationalEvents.reserved(type)) {
                throw ProblemException.invalidField("type", "must not start with '" + OperationalEvents.RESERVED_PREFIX
                        + "': that prefix is reserved for hookhub's own operational events");
            }
            if (body.payload() == null) {
                throw ProblemException.invalidField("payload", "is required (any JSON value; null is a value)");
            }
            String key = body.idempotencyKey();
            if (key != null && (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY)) {
                throw ProblemException.invalidField("idempotencyKey", "must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
            }
            Payloads.Stored payload = payloads.store(body.payload());
            if (payload.bytes().length > config.maxBodySize()) {
                throw BodyLimit.tooLarge(config.maxBodySize());
            }
            return publisher.publish(caller.orgId(), type, payload, key);
        }).map(published -> RestResponse.ResponseBuilder
                .<V1Dtos.EventAccepted>create(RestResponse.Status.ACCEPTED)
                .entity(new V1Dtos.EventAccepted(published.eventId(), published.deliveries(), published.duplicate()))
                .build());
    }

    @Access(Access.Who.READER)
    @GET
    @Path("/{id}")
    public Uni<V1Dtos.EventView> get(@PathParam("id") String id) {
        UUID eventId = V1Access.id("id", id);
        return access.reader()
                .flatMap(caller -> history.event(caller.orgId(), eventId))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No event " + eventId))
                .map(e -> new V1Dtos.EventView(e.id(), e.type(), e.payload(), e.idempotencyKey(), e.createdAt(),
                        e.deliveries().stream().map(V1Mapper::view).toList()));
    }

    /** The event's attempts over all its deliveries, oldest first (a timeline), optionally by outcome. */
    @Access(Access.Who.READER)
    @GET
    @Path("/{id}/attempts")
    public Uni<V1Dtos.AttemptPage> attempts(@PathParam("id") String id, @QueryParam("outcome") String outcome) {
        UUID eventId = V1Access.id("id", id);
        DeliveryHistory.Outcome wanted = AttemptResource.outcome(outcome);
        return access.reader()
                .flatMap(caller -> history.eventAttempts(caller.orgId(), eventId, wanted, MAX_EVENT_ATTEMPTS))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No event " + eventId))
                .map(rows -> new V1Dtos.AttemptPage(rows.stream().map(V1Mapper::view).toList(), null));
    }

    /**
     * Erases the event: its payload is gone, its undelivered deliveries are cancelled, its attempts stay (marked
     * {@code eventErased}); audited as {@code event.erase}. 200 with {@code id}, {@code erasedAt} and
     * {@code cancelledDeliveries}; 404 for an unknown, foreign or already erased event.
     */
    @Access(Access.Who.WRITER)
    @DELETE
    @Path("/{id}")
    public Uni<V1Dtos.EventErased> erase(@PathParam("id") String id, @Context HttpServerRequest http) {
        UUID eventId = V1Access.id("id", id);
        return access.writer()
                .flatMap(caller -> erasure.erase(caller.orgId(), eventId, V1Access.requester(caller, http)))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No event " + eventId))
                .map(V1Mapper::view);
    }
}

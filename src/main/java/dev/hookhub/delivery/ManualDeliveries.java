package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.SubscriptionRepository;
import dev.hookhub.support.Ids;
import dev.hookhub.support.Rejection;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Deliveries an operator asks for by hand: "retry now" of a failed (or waiting) delivery, and a test
 * event sent to one subscription only. Each is one transaction that NOTIFYs the workers at commit.
 * Null answers mean "no such thing in this org"; a state that forbids it is a {@link Rejection.Conflict}.
 */
@ApplicationScoped
public class ManualDeliveries {

    /** The test event, its one delivery, and its type (the subscription's first when none was asked for). */
    public record TestSent(UUID eventId, UUID deliveryId, String type) {
    }

    private final Payloads payloads;
    private final DeliveryRepository deliveries;
    private final EventRepository events;
    private final SubscriptionRepository subscriptions;

    public ManualDeliveries(Payloads payloads, DeliveryRepository deliveries, EventRepository events,
            SubscriptionRepository subscriptions) {
        this.payloads = payloads;
        this.deliveries = deliveries;
        this.events = events;
        this.subscriptions = subscriptions;
    }

    /**
     * Re-queues a delivery that failed for good or waits for its next retry, due now. Only deliveries of
     * live, active subscriptions of the org; in-flight, succeeded and cancelled ones are a conflict.
     */
    @WithTransaction
    public Uni<DeliveryHistory.DeliveryState> retry(UUID orgId, UUID deliveryId) {
        return deliveries.requeue(orgId, deliveryId).flatMap(requeued -> requeued == 1
                ? deliveries.wakeWorkersAtCommit().flatMap(v -> deliveries.findInOrg(orgId, deliveryId))
                        .map(DeliveryHistory.DeliveryState::of)
                : whyNot(orgId, deliveryId));
    }

    /** Why a delivery could not be re-queued: null when the org has none of a live subscription, else a conflict. */
    private Uni<DeliveryHistory.DeliveryState> whyNot(UUID orgId, UUID deliveryId) {
        return deliveries.findInOrg(orgId, deliveryId).onItem().ifNotNull().transformToUni(d ->
                subscriptions.findLive(orgId, d.subscriptionId).onItem().ifNotNull().transformToUni(s ->
                        events.findReadable(orgId, d.eventId).<DeliveryHistory.DeliveryState>map(e -> {
                            if (e == null) {
                                throw Rejection.conflict("The delivery's event was erased; it cannot be sent again");
                            }
                            if (!Delivery.FAILED.equals(d.status) && !Delivery.QUEUED.equals(d.status)) {
                                throw Rejection.conflict("The delivery is " + d.status
                                        + "; only a failed delivery or one waiting for its retry can be retried");
                            }
                            throw Rejection.conflict("The subscription is inactive; activate it before retrying");
                        })));
    }

    /**
     * Stores a test event of one of the subscription's types and queues a delivery to that subscription
     * alone (POST /v1/events would reach every subscription of the type). Null when not found. The
     * subscription is locked first, so a delete waits for this commit and then drops the delivery.
     */
    @WithTransaction
    public Uni<TestSent> sendTest(UUID orgId, UUID subscriptionId, String requestedType, String actor) {
        return subscriptions.lockLive(orgId, subscriptionId).flatMap(locked -> !locked ? Uni.createFrom().nullItem()
                : subscriptions.findLive(orgId, subscriptionId).flatMap(sub -> {
                    String type = requestedType == null ? sub.events.get(0) : requestedType;
                    if (!sub.events.contains(type)) {
                        throw Rejection.invalidField("type", "'" + type + "' is not one of the subscription's events");
                    }
                    if (!sub.active) {
                        throw Rejection.conflict("The subscription is inactive; activate it before sending a test");
                    }
                    ObjectNode payload = JsonNodeFactory.instance.objectNode();
                    payload.put("test", true);
                    payload.put("subscriptionId", subscriptionId.toString());
                    payload.put("sentBy", actor);
                    payload.put("sentAt", Instant.now().toString());
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    Event event = new Event();
                    event.id = Ids.newId();
                    event.orgId = orgId;
                    event.type = type;
                    event.createdAt = now;
                    Delivery delivery = new Delivery();
                    delivery.id = Ids.newId();
                    delivery.eventId = event.id;
                    delivery.subscriptionId = subscriptionId;
                    delivery.orgId = orgId;
                    delivery.status = Delivery.QUEUED;
                    delivery.dueAt = now;
                    delivery.createdAt = now;
                    // The event's row first: the delivery's foreign key needs it.
                    return payloads.seal(orgId, event.id, payloads.store(payload, WireFormat.JSON))
                            .flatMap(sealed -> {
                                event.payload = sealed.bytes();
                                event.payloadFormat = sealed.format();
                                event.sealed = true;
                                return events.persistAndFlush(event);
                            })
                            .flatMap(e -> deliveries.persistAndFlush(delivery))
                            .flatMap(d -> deliveries.wakeWorkersAtCommit())
                            .map(v -> new TestSent(event.id, delivery.id, type));
                }));
    }
}

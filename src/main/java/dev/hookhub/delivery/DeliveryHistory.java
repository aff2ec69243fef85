package dev.hookhub.delivery;

import dev.hookhub.negotiation.WireValue;
import dev.hookhub.subscription.SubscriptionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Reads of events, their deliveries and the attempt history, always within one org. */
@ApplicationScoped
public class DeliveryHistory {

    public record EventState(UUID id, String type, WireValue payload, String idempotencyKey, Instant createdAt,
            List<DeliveryState> deliveries) {
    }

    public record DeliveryState(UUID id, UUID subscriptionId, String status, int attempts, Instant dueAt,
            Instant createdAt, Instant completedAt) {

        static DeliveryState of(Delivery d) {
            return new DeliveryState(d.id, d.subscriptionId, d.status, d.attempts, d.dueAt, d.createdAt, d.completedAt);
        }
    }

    /** One attempt; {@code eventErased} when its event was erased since (the attempt itself holds no content). */
    public record Attempt(UUID id, UUID deliveryId, UUID subscriptionId, UUID eventId, Instant attemptedAt,
            Integer statusCode, String statusDescription, int durationMs, boolean eventErased) {

        static Attempt of(DeliveryAttempt a, boolean eventErased) {
            return new Attempt(a.id, a.deliveryId, a.subscriptionId, a.eventId, a.attemptedAt, a.statusCode,
                    a.statusDescription, a.durationMs, eventErased);
        }
    }

    /** Where the previous page ended: attempts are ordered newest first by (attemptedAt, id). */
    public record AttemptCursor(Instant attemptedAt, UUID id) {
    }

    /** An attempt's outcome: a 2xx answer, or anything else (another status, no answer). */
    public enum Outcome { succeeded, failed }

    private final Payloads payloads;
    private final EventRepository events;
    private final DeliveryRepository deliveries;
    private final DeliveryAttemptRepository attempts;
    private final SubscriptionRepository subscriptions;

    public DeliveryHistory(Payloads payloads, EventRepository events, DeliveryRepository deliveries,
            DeliveryAttemptRepository attempts, SubscriptionRepository subscriptions) {
        this.payloads = payloads;
        this.events = events;
        this.deliveries = deliveries;
        this.attempts = attempts;
        this.subscriptions = subscriptions;
    }

    /** The event with its deliveries, or null when the org has no such event or it was erased. */
    @WithSession
    public Uni<EventState> event(UUID orgId, UUID eventId) {
        return events.findReadable(orgId, eventId).onItem().ifNotNull().transformToUni(e -> deliveries.ofEvent(eventId)
                .flatMap(ds -> payloads.open(orgId, e.id, e.payload, e.sealed)
                        .map(plain -> new EventState(e.id, e.type, payloads.stored(plain, e.payloadFormat), e.idempotencyKey,
                                e.createdAt, ds.stream().map(DeliveryState::of).toList()))));
    }

    /**
     * A page of a live subscription's attempts, newest first, after the cursor. Null when the org has
     * no such live subscription.
     */
    @WithSession
    public Uni<List<Attempt>> attempts(UUID orgId, UUID subscriptionId, AttemptCursor after, Outcome outcome, int limit) {
        return subscriptions.isLive(orgId, subscriptionId).flatMap(live -> !live ? Uni.createFrom().nullItem()
                : attempts.ofSubscription(subscriptionId, after, outcome, limit)
                        .flatMap(rows -> events.erasedAmong(orgId, rows.stream().map(a -> a.eventId).distinct().toList())
                                .map(erased -> rows.stream().map(a -> Attempt.of(a, erased.contains(a.eventId))).toList())));
    }

    /**
     * Every attempt of the org's event, oldest first (at most {@code limit}); null when the org has no
     * such event. Attempts of since-deleted subscriptions stay until the retention purge, and those of an
     * erased event are listed with {@code eventErased}.
     */
    @WithSession
    public Uni<List<Attempt>> eventAttempts(UUID orgId, UUID eventId, Outcome outcome, int limit) {
        return events.findInOrg(orgId, eventId).onItem().ifNotNull().transformToUni(e ->
                attempts.ofEvent(orgId, eventId, outcome, limit)
                        .map(rows -> rows.stream().map(a -> Attempt.of(a, e.erasedAt != null)).toList()));
    }
}

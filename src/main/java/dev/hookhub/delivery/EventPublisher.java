package dev.hookhub.delivery;

import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * Publishing an event: register its type, store it, and fan out one queued delivery per active, live
 * subscription of the org that lists the type, NOTIFYing the workers when there is something to deliver
 * (delivered by PostgreSQL only at commit, so a worker never wakes before the rows are visible).
 *
 * <p>All of it is one statement of data-modifying CTEs (EventRepository), atomic on its own: an event without an
 * idempotency key is one round trip.
 *
 * <p>The fan-out holds each chosen subscription FOR KEY SHARE, the lock the delivery's foreign key takes
 * anyway, only earlier: a delete (FOR UPDATE, SubscriptionDeletion) in progress makes it wait, and under
 * READ COMMITTED the row is then re-checked in its committed version, so a tombstoned subscription is
 * skipped. It does not wait for edits, pauses or the sender's bookkeeping (FOR NO KEY UPDATE). With a key, a transaction first releases a key older than the
 * window and looks for the earlier event.
 */
@ApplicationScoped
public class EventPublisher {

    /** The event's id, how many deliveries it fanned out to, and whether it was an earlier event (same key). */
    public record Published(UUID eventId, int deliveries, boolean duplicate) {
    }

    private final EventRepository events;
    private final Payloads payloads;

    public EventPublisher(EventRepository events, Payloads payloads) {
        this.events = events;
        this.payloads = payloads;
    }

    /** Publishes the payload, sealed under the org's data key for the new event's row. */
    public Uni<Published> publish(UUID orgId, String type, Payloads.Stored payload, String idempotencyKey) {
        UUID eventId = Ids.newId();
        return payloads.seal(orgId, eventId, payload)
                .flatMap(sealed -> events.publish(eventId, orgId, type, sealed, idempotencyKey));
    }

    /**
     * Publishes under an id the caller chose (an operational event's outbox row, {@link OperationalEvents}),
     * without an idempotency key. Null when an event with that id exists already: nothing is stored or
     * queued again, so publishing one id twice delivers it once. Sealed like every payload.
     */
    public Uni<Published> publish(UUID eventId, UUID orgId, String type, Payloads.Stored payload) {
        return payloads.seal(orgId, eventId, payload)
                .flatMap(sealed -> events.publish(eventId, orgId, type, sealed, null));
    }
}

package dev.hookhub.delivery;

import dev.hookhub.tenancy.AuditRecord;
import dev.hookhub.tenancy.AuditRepository;
import dev.hookhub.tenancy.Requester;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Erasing one event (DELETE /v1/events/{id}), in one transaction: its payload is dropped, its deliveries that
 * were not delivered yet are cancelled (the claim never sends an erased event), its attempt history stays
 * (attempts hold no content) and an audit record ({@code event.erase}, target the event id) is written.
 * An attempt already on its way when the erasure commits is still recorded, and nothing is sent after it.
 */
@ApplicationScoped
public class EventErasure {

    /** What an erasure did: when, and how many queued or in-flight deliveries it cancelled. */
    public record Erased(UUID id, Instant erasedAt, int cancelledDeliveries) {
    }

    private final EventRepository events;
    private final DeliveryRepository deliveries;
    private final AuditRepository audit;

    public EventErasure(EventRepository events, DeliveryRepository deliveries, AuditRepository audit) {
        this.events = events;
        this.deliveries = deliveries;
        this.audit = audit;
    }

    /** Erases the org's event; null when the org has no such event or it was erased already. */
    @WithTransaction
    public Uni<Erased> erase(UUID orgId, UUID eventId, Requester by) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return events.erase(orgId, eventId, now).flatMap(erased -> erased == 0 ? Uni.createFrom().nullItem()
                : deliveries.cancelUndelivered(eventId)
                        .call(() -> audit.record(AuditRecord.of(orgId, null, "event.erase", eventId.toString(), by)))
                        .map(cancelled -> new Erased(eventId, now, cancelled)));
    }
}

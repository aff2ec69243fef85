package dev.hookhub.offboarding;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * One org's offboarding (table org_offboarding, V17): who asked and when, where the job is, what it removed so
 * far, and which instance holds it until when. The row outlives the org, so its status can be read after the
 * org is gone. Queries are {@link OffboardingRepository}'s.
 */
@Entity
@Table(name = "org_offboarding")
public class Offboarding extends PanacheEntityBase {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";

    @Id
    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "requested_from")
    public String requestedFrom;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** {@link #RUNNING} or {@link #COMPLETED}. */
    public String status;

    /** What the job is removing now ({@link OffboardingStep}'s name). */
    public String step;

    public long subscriptions;

    @Column(name = "deliveries_cancelled")
    public long deliveriesCancelled;

    public long deliveries;

    public long events;

    public long attempts;

    public long tombstones;

    public long clients;

    @Column(name = "api_keys")
    public long apiKeys;

    @Column(name = "event_types")
    public long eventTypes;

    /** Until when attempts of deliveries that were in flight may still be recorded (the tombstones wait for it). */
    @Column(name = "attempts_settle_at")
    public Instant attemptsSettleAt;

    @Column(name = "lease_owner")
    public String leaseOwner;

    @Column(name = "lease_until")
    public Instant leaseUntil;

    /** What was removed so far. */
    public Removed removed() {
        return new Removed(subscriptions, deliveriesCancelled, deliveries, events, attempts, tombstones, clients, apiKeys,
                eventTypes);
    }

    public boolean completed() {
        return COMPLETED.equals(status);
    }
}

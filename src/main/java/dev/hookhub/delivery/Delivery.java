package dev.hookhub.delivery;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Generated;

import java.time.Instant;
import java.util.UUID;

/**
 * One delivery of an event to one subscription: the queue's row. Queued until claimed, in flight while
 * leased ({@code lockedUntil}), then succeeded, failed or cancelled; terminal rows stay for the event's
 * history. Queries are {@link DeliveryRepository}'s (the claim is one native statement there).
 */
@Entity
@Table(name = "delivery")
public class Delivery extends PanacheEntityBase {

    public static final String QUEUED = "queued";
    public static final String IN_FLIGHT = "in_flight";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    @Id
    public UUID id;

    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "subscription_id")
    public UUID subscriptionId;

    @Column(name = "org_id")
    public UUID orgId;

    public String status;

    /** Attempts started so far (a claim counts one). */
    public int attempts;

    @Column(name = "due_at")
    public Instant dueAt;

    /** The lease's end while in flight; null otherwise. */
    @Column(name = "locked_until")
    public Instant lockedUntil;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    /** Publish order (drawn from delivery_seq as the row is queued); null on rows finished before V18. */
    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;
}

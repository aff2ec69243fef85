package dev.hookhub.delivery;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A delivery result: one attempt and what it came to. Kept after its delivery and subscription are gone,
 * until the retention purge (so no foreign keys). Written in batches by {@link DeliveryAttemptRepository}'s
 * recorder statement, read through its Panache queries.
 */
@Entity
@Table(name = "delivery_attempt")
public class DeliveryAttempt extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "delivery_id")
    public UUID deliveryId;

    @Column(name = "subscription_id")
    public UUID subscriptionId;

    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "org_id")
    public UUID orgId;

    @Column(name = "attempted_at")
    public Instant attemptedAt;

    /** The receiver's status; null when there was no answer (refused, timed out, unreachable). */
    @Column(name = "status_code")
    public Integer statusCode;

    @Column(name = "status_description")
    public String statusDescription;

    @Column(name = "duration_ms")
    public int durationMs;
}

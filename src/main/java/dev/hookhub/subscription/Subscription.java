package dev.hookhub.subscription;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A webhook subscription of one org. Deleted ones stay as tombstones (deletedAt set) until purged. */
@Entity
@Table(name = "subscription")
public class Subscription extends PanacheEntityBase {

    @Id
    public UUID id;

    @Generated
    @Column(insertable = false, updatable = false)
    public Long number;

    @Column(name = "org_id")
    public UUID orgId;

    public String name;
    public String description;
    public String code;
    public String url;

    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> events;

    @Column(name = "content_type")
    public String contentType;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> headers;

    public boolean active;
    public int version;

    @Column(name = "owner_public_key")
    public String ownerPublicKey;

    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "modified_at")
    public Instant modifiedAt;
    @Column(name = "modified_by")
    public String modifiedBy;
    @Column(name = "deleted_at")
    public Instant deletedAt;
    @Column(name = "deleted_by")
    public String deletedBy;
    @Column(name = "last_http_success")
    public Instant lastHttpSuccess;
    @Column(name = "last_http_fail")
    public Instant lastHttpFail;
    /**
     * When the current run of failed attempts began (null after a success); the delivery engine writes
     * it (AttemptRecorder) and deactivates the subscription once it is older than deactivate-after-failing.
     */
    @Column(name = "failing_since")
    public Instant failingSince;

    /** Paused since (null: not paused): its deliveries are held, unattempted (README, "Delivery control"). */
    @Column(name = "paused_at")
    public Instant pausedAt;
    /** Most attempts started per second across every instance; null: no limit. */
    @Column(name = "rate_limit")
    public Integer rateLimit;
    /** Most attempts in flight at once; null: hookhub.delivery.max-in-flight-per-subscription. */
    @Column(name = "max_in_flight")
    public Integer maxInFlight;
    /** {@link #FIFO} (one at a time, in publish order) or {@link #UNORDERED}. */
    public String ordering = UNORDERED;
    /** Adaptive pace as last set by a throttling signal (AttemptRecorder), with when; it recovers from there. */
    public float pace = 1;
    @Column(name = "paced_at")
    public Instant pacedAt;
    /** Moving average of answered attempts' durations, ms; null before the first answer. */
    @Column(name = "latency_ms")
    public Float latencyMs;

    public static final String FIFO = "fifo";
    public static final String UNORDERED = "none";

    /**
     * The adaptive pace at {@code now}: the stored pace doubled for every {@code recovery} since it was set, at
     * most 1 (the stored pace itself while it was never set). The same formula as the claim's SQL function
     * claim_pace (V18), which is what the engine applies; this one is what /v1 shows.
     */
    public double paceAt(Instant now, Duration recovery) {
        if (pacedAt == null) {
            return pace;
        }
        double elapsed = Math.max(0, Duration.between(pacedAt, now).toNanos() / 1e9);
        return Math.min(1, pace * Math.pow(2, elapsed / (recovery.toNanos() / 1e9)));
    }

    /** Whether it is paused: its deliveries are held until it is resumed. */
    public boolean paused() {
        return pausedAt != null;
    }
}

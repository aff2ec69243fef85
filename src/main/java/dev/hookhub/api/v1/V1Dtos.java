package dev.hookhub.api.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.hookhub.negotiation.WireDateDeserializer;
import dev.hookhub.negotiation.WireValue;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hookhub.negotiation.WireDateSerializer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The wire shapes of /v1 and /oauth/token: camelCase, date-times ISO-8601 UTC (MessagePack timestamps). */
public final class V1Dtos {

    private V1Dtos() {
    }

    @RegisterForReflection
    public record OrgCreate(String name) {
    }

    /** An org; {@code status} is {@code active}, or {@code offboarding} from the start of its offboarding until it is gone. */
    @RegisterForReflection
    public record OrgView(UUID id, int number, String name,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt, String status) {
    }

    @RegisterForReflection
    public record CredentialCreate(String name, List<String> roles) {
    }

    @RegisterForReflection
    public record ClientView(UUID id, UUID orgId, String clientId, String clientSecret, String name, Set<String> roles,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt) {
    }

    @RegisterForReflection
    public record ApiKeyView(UUID id, UUID orgId, String key, String prefix, String name, Set<String> roles,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt) {
    }

    /**
     * Create (name, url, events required) and PATCH (every field optional; absent = unchanged, null = unchanged
     * except for rateLimit and maxInFlight, where null clears the setting). rateLimit and maxInFlight are read as
     * any value and checked to be integers by the mapper, so that a fraction is refused rather than truncated and
     * an explicit null is told apart from an absent field.
     */
    @RegisterForReflection
    public record SubscriptionInput(String name, String description, String code, String url, List<String> events,
            String contentType, Map<String, String> headers, Boolean active, String secret, String ownerPublicKey,
            @Schema(implementation = Integer.class, nullable = true, minimum = "1", maximum = "10000",
                    description = "Most attempts started per second, across every instance; null: no limit")
            JsonNode rateLimit,
            @Schema(implementation = Integer.class, nullable = true, minimum = "1", maximum = "1000",
                    description = "Most attempts in flight at once; null: the instance default")
            JsonNode maxInFlight,
            @Schema(enumeration = {"none", "fifo"}, defaultValue = "none") String ordering) {
    }

    @RegisterForReflection
    public record SubscriptionView(UUID id, long number, UUID orgId, String name, String description, String code,
            String url, List<String> events, String contentType, Map<String, String> headers, boolean active,
            int version,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt, String createdBy,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant modifiedAt, String modifiedBy,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant deletedAt, String deletedBy,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant lastHttpSuccess,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant lastHttpFail,
            String ownerPublicKey,
            boolean paused,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant pausedAt,
            Integer rateLimit,
            int maxInFlight,
            @Schema(enumeration = {"none", "fifo"}) String ordering,
            @Schema(minimum = "0", maximum = "1", readOnly = true,
                    description = "The adaptive pace now: the fraction of its rate and in-flight bound it gets")
            double pace,
            @Schema(description = "Its queued deliveries; on one subscription and the pause/resume answers, not in lists")
            @JsonInclude(JsonInclude.Include.NON_NULL) Long held,
            @JsonInclude(JsonInclude.Include.NON_NULL) String secret,
            @JsonInclude(JsonInclude.Include.NON_NULL) String secretKeyId) {
    }

    /** POST /v1/subscriptions/{id}/recover: since required, until default now, eventTypes default every type. */
    @RegisterForReflection
    public record RecoverInput(
            @Schema(required = true) @JsonDeserialize(using = WireDateDeserializer.class) Instant since,
            @Schema(description = "Default: now") @JsonDeserialize(using = WireDateDeserializer.class) Instant until,
            List<String> eventTypes) {
    }

    /** 200 to POST /v1/subscriptions/{id}/recover: how many deliveries were re-queued, in which window. */
    @RegisterForReflection
    public record Recovered(int requeued,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant since,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant until,
            @Schema(description = "Where the rest of the window starts (the since of the next call) when it held more"
                    + " than one recovery re-queues (hookhub.delivery.recover-limit); null when it is done")
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant next) {
    }

    @RegisterForReflection
    public record SubscriptionPage(List<SubscriptionView> items, String nextCursor) {
    }

    @RegisterForReflection
    public record RotateInput(String secret) {
    }

    @RegisterForReflection
    public record RotationView(UUID subscriptionId, String keyId, String secret,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant previousSecretsValidUntil) {
    }

    /** POST /v1/events: {@code payload} is any JSON (or MessagePack) value. */
    public record EventInput(String type, WireValue payload, String idempotencyKey) {
    }

    /** 202 to POST /v1/events; {@code duplicate} when the idempotency key returned an earlier event. */
    public record EventAccepted(UUID id, int deliveries, boolean duplicate) {
    }

    public record EventView(UUID id, String type, WireValue payload, String idempotencyKey,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt, List<DeliveryView> deliveries) {
    }

    /** One delivery of an event: status is queued, in_flight, succeeded, failed or cancelled. */
    public record DeliveryView(UUID id, UUID subscriptionId, String status, int attempts,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant dueAt,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant completedAt) {
    }

    /**
     * One attempt of the history; statusCode is null when no response came; eventErased when its event was
     * erased since (DELETE /v1/events/{id}).
     */
    public record AttemptView(UUID id, UUID deliveryId, UUID subscriptionId, UUID eventId,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant attemptedAt, Integer statusCode,
            String statusDescription, int durationMs, boolean eventErased) {
    }

    public record AttemptPage(List<AttemptView> items, String nextCursor) {
    }

    /**
     * An API client in the operator's lists and answers: never its secret or digest, except {@code clientSecret}
     * in the answer to a rotation (shown that once; absent otherwise). revokedAt, secretRotatedAt: null when
     * that never happened.
     */
    @RegisterForReflection
    public record ClientItem(UUID id, UUID orgId, String clientId, String name, Set<String> roles,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant revokedAt,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant secretRotatedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String clientSecret) {
    }

    @RegisterForReflection
    public record ClientPage(List<ClientItem> items, String nextCursor) {
    }

    /** An API key in the operator's lists and answers: its public prefix, never the key or its digest. */
    @RegisterForReflection
    public record ApiKeyItem(UUID id, UUID orgId, String prefix, String name, Set<String> roles,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant createdAt,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant revokedAt) {
    }

    @RegisterForReflection
    public record ApiKeyPage(List<ApiKeyItem> items, String nextCursor) {
    }

    /** GET /v1/admin/orgs: the orgs in number order. */
    public record OrgPage(List<OrgView> items, String nextCursor) {
    }

    /** 202 to POST /v1/subscriptions/{id}/test: the test event and its one delivery. */
    public record TestSent(UUID eventId, UUID deliveryId, String type) {
    }

    /** GET /v1/stats/attempts: totals of the window and its hourly buckets, oldest first. */
    public record AttemptStatsView(UUID subscriptionId, int hours,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant from,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant to,
            int attempts, int succeeded, int failed, Double successRate, List<AttemptBucket> buckets) {
    }

    /** One hour of attempts; successRate and durations are null when the hour had no attempt. */
    public record AttemptBucket(@JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant start,
            int attempts, int succeeded, int failed, Double successRate, Integer avgDurationMs, Integer p95DurationMs,
            Integer maxDurationMs) {
    }

    /**
     * An org's offboarding (DELETE /v1/admin/orgs/{orgId}, GET .../offboarding): {@code status} running or
     * completed, {@code step} what it is removing now (done at the end), who asked, when it started and finished
     * (null while running), and what it removed so far.
     */
    @RegisterForReflection
    public record OffboardingView(UUID orgId, String status, String step, String requestedBy,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant startedAt,
            @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant finishedAt, OffboardingRemoved removed) {
    }

    /** What an offboarding removed: the counts per kind (README, "Offboarding an org"). */
    @RegisterForReflection
    public record OffboardingRemoved(long subscriptions, long deliveriesCancelled, long deliveries, long events,
            long attempts, long tombstones, long clients, long apiKeys, long eventTypes) {
    }

    /** 200 to DELETE /v1/events/{id}: when the payload was erased and how many deliveries were cancelled. */
    @RegisterForReflection
    public record EventErased(UUID id, @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant erasedAt,
            int cancelledDeliveries) {
    }

    /**
     * One record of GET /v1/audit: who did what, through which surface, from where. subscriptionId is null
     * when the change was not about a subscription; target names what else it acted on (a client id, an API
     * key's id, an event id, a secret's key id), null when nothing.
     */
    @RegisterForReflection
    public record AuditItem(long id, String action, String actor, String surface, String remoteAddress,
            UUID subscriptionId, String target, @JsonSerialize(using = WireDateSerializer.IsoUtc.class) Instant at) {
    }

    @RegisterForReflection
    public record AuditPage(List<AuditItem> items, String nextCursor) {
    }
}

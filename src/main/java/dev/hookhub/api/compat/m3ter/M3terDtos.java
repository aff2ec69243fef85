package dev.hookhub.api.compat.m3ter;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/**
 * m3ter's wire shapes, field for field as "Delete Webhook Destination" lists them. Ids are strings
 * (the seed types them so, and MessagePack must not turn them into binary); dates are
 * {@link M3terDateTime}.
 */
public final class M3terDtos {

    private M3terDtos() {
    }

    /** "Response containing details of a webhook destination." */
    @RegisterForReflection
    public record WebhookDestination(String id, long version,
            @JsonSerialize(using = M3terDateTime.class) Instant dtCreated,
            @JsonSerialize(using = M3terDateTime.class) Instant dtLastModified,
            String createdBy, String lastModifiedBy, String name, String description, String code, boolean active,
            String url, Credentials credentials) {
    }

    /** "The credentials required for m3ter request signing." */
    @RegisterForReflection
    public record Credentials(String id, String type, String destination, long version,
            @JsonSerialize(using = M3terDateTime.class) Instant dtCreated,
            @JsonSerialize(using = M3terDateTime.class) Instant dtLastModified,
            String createdBy, String lastModifiedBy, String destinationId, String name, String apiKey, String secret) {
    }
}

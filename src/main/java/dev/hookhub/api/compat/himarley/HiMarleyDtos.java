package dev.hookhub.api.compat.himarley;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Map;

/** Hi Marley's wire shapes: UPPER_SNAKE keys exactly as "Unregister Webhook" documents them. */
public final class HiMarleyDtos {

    private HiMarleyDtos() {
    }

    /** The registration that was removed. */
    @RegisterForReflection
    public record Unregistered(@JsonProperty("SUBSCRIPTION_ID") String subscriptionId,
            @JsonProperty("EVENT") String event,
            @JsonProperty("ORGANIZATION_ID") String organizationId,
            @JsonProperty("REGISTERED_PAYLOAD") RegisteredPayload registeredPayload) {
    }

    /** What was registered: the event's number, the address events went to, the extra headers ({} when none). */
    @RegisterForReflection
    public record RegisteredPayload(@JsonProperty("EVENT_ID") Integer eventId,
            @JsonProperty("HTTP_POST_ADDRESS") String httpPostAddress,
            @JsonProperty("HEADERS") Map<String, String> headers) {
    }
}

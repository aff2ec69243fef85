package dev.hookhub.subscription;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a caller asks for when creating (every field) or changing (null = unchanged) a subscription.
 * {@code secret} and {@code ownerPublicKey} are optional on create. {@code rateLimit} and {@code maxInFlight}
 * have three states: null (unchanged; none on create), empty (cleared: no limit, the instance default) or a
 * value, checked by {@link SubscriptionRules}.
 */
public record SubscriptionDraft(String name, String description, String code, String url, List<String> events,
        String contentType, Map<String, String> headers, Boolean active, String secret, String ownerPublicKey,
        OptionalLong rateLimit, OptionalLong maxInFlight, String ordering) {
}

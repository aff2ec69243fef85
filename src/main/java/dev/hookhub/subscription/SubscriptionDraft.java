package dev.hookhub.subscription;

import java.util.List;
import java.util.Map;

/**
 * What a caller asks for when creating (every field) or changing (null = unchanged) a subscription.
 * {@code secret} and {@code ownerPublicKey} are optional on create.
 */
public record SubscriptionDraft(String name, String description, String code, String url, List<String> events,
        String contentType, Map<String, String> headers, Boolean active, String secret, String ownerPublicKey) {
}

package dev.hookhub.subscription;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A subscription as it was just before the delete (API.md §2 step 2), with what the delete did and
 * what the dialects return: the first event type's number, the shredded secrets (decryptable only
 * in memory, for the one safe form each dialect shows) and the newest delivery history.
 */
public record DeletedSubscription(UUID id, long number, UUID orgId, String name, String description, String code,
        String url, List<String> events, String contentType, Map<String, String> headers, boolean active,
        int version, Instant createdAt, String createdBy, Instant modifiedAt, String modifiedBy, Instant deletedAt,
        String deletedBy, Instant lastHttpSuccess, Instant lastHttpFail, String ownerPublicKey,
        Integer firstEventNumber, int droppedDeliveries, List<SecretMaterial> secrets, List<Attempt> history) {

    /** An encrypted secret as it was read in the delete; newest first. */
    public record SecretMaterial(String keyId, byte[] ciphertext, Instant createdAt, Instant expiresAt) {
    }

    /** One delivery attempt of the subscription's history. */
    public record Attempt(UUID id, UUID eventId, Instant attemptedAt, Integer statusCode, String statusDescription,
            int durationMs) {
    }

    /** The secret that was current (not retired by a rotation), if any. */
    public SecretMaterial currentSecret() {
        return secrets.stream().filter(s -> s.expiresAt() == null).findFirst()
                .orElse(secrets.isEmpty() ? null : secrets.get(0));
    }
}

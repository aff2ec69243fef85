package dev.hookhub.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A delivery this worker holds a lease on, with everything its attempt needs. */
public record ClaimedDelivery(UUID id, UUID eventId, UUID subscriptionId, UUID orgId, int attempt, String type,
        byte[] payload, boolean sealed, String payloadFormat, String url, String contentType, Map<String, String> headers,
        Instant failingSince, List<byte[]> secretCiphertexts) {

    /** Its payload's bytes as stored (what the claim's byte budget counts); 0 for an erased event's. */
    public long size() {
        return payload == null ? 0 : payload.length;
    }
}

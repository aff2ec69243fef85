package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.negotiation.WireValue;
import dev.hookhub.support.Aead;
import dev.hookhub.tenancy.DataKeys;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.util.UUID;

/**
 * Event payloads: kept in the format they arrived in (JSON or MessagePack bytes), re-encoded into a
 * subscription's content type only when the two differ, token by token ({@link WireValue}), never as a tree.
 * At rest they are sealed under their org's data key ({@link DataKeys}, AES-256-GCM with the event id as associated
 * data): a database dump holds no readable payload, and once the org's key is destroyed no copy opens.
 */
@ApplicationScoped
public class Payloads {

    /** The payload's bytes and the name of their format ({@code json} or {@code msgpack}). */
    public record Stored(byte[] bytes, String format) {
    }

    private final WireCodecs codecs;
    private final DataKeys keys;

    public Payloads(WireCodecs codecs, DataKeys keys) {
        this.codecs = codecs;
        this.keys = keys;
    }

    /** The payload sealed for the event's row, under its org's data key (made on the org's first payload). */
    public Uni<Stored> seal(UUID orgId, UUID eventId, Stored plain) {
        return keys.forSealing(orgId).map(key -> new Stored(Aead.seal(key, eventId, plain.bytes()), plain.format()));
    }

    /**
     * The plaintext of a stored payload: opened under its org's data key when sealed (rows from before payload
     * encryption are not). Fails when the org's key is gone (offboarding) or the bytes are not what was sealed.
     */
    public Uni<byte[]> open(UUID orgId, UUID eventId, byte[] stored, boolean sealed) {
        if (!sealed) {
            return Uni.createFrom().item(stored);
        }
        return keys.forOpening(orgId).map(key -> {
            try {
                return Aead.open(key, eventId, stored);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("The payload of event " + eventId + " does not open under its org's key", e);
            }
        });
    }

    /** A payload as it arrived in a request body. */
    public Stored store(WireValue payload) {
        return new Stored(payload.bytes(), name(payload.format()));
    }

    /** A payload hookhub writes itself (test events). */
    public Stored store(JsonNode payload, WireFormat format) {
        try {
            return new Stored(codecs.of(format).writeValueAsBytes(payload), name(format));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stored payload, to write into a response as it is. */
    public WireValue stored(byte[] bytes, String format) {
        return new WireValue(bytes, format(format));
    }

    /** The payload as a delivery body of the given content type, re-encoded token by token when the formats differ. */
    public byte[] encode(byte[] bytes, String format, WireFormat target) {
        return stored(bytes, format).encode(target);
    }

    private static String name(WireFormat format) {
        return format == WireFormat.MSGPACK ? "msgpack" : "json";
    }

    private static WireFormat format(String name) {
        return "msgpack".equals(name) ? WireFormat.MSGPACK : WireFormat.JSON;
    }
}

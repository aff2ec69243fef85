package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.negotiation.WireValue;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Event payloads: kept in the format they arrived in (JSON or MessagePack bytes), re-encoded into a
 * subscription's content type only when the two differ, token by token ({@link WireValue}), never as a tree.
 */
@ApplicationScoped
public class Payloads {

    /** The payload's bytes and the name of their format ({@code json} or {@code msgpack}). */
    public record Stored(byte[] bytes, String format) {
    }

    private final WireCodecs codecs;

    public Payloads(WireCodecs codecs) {
        this.codecs = codecs;
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

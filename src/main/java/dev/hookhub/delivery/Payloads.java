package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Event payloads: kept in the format they arrived in (JSON or MessagePack bytes), re-encoded into a
 * subscription's content type only when the two differ, through the same tree both mappers share.
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

    public Stored store(JsonNode payload, WireFormat format) {
        try {
            return new Stored(codecs.of(format).writeValueAsBytes(payload), name(format));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode read(byte[] bytes, String format) {
        try {
            return codecs.of(format(format)).readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The payload as a delivery body of the given content type. */
    public byte[] encode(byte[] bytes, String format, WireFormat target) {
        if (format(format) == target) {
            return bytes;
        }
        try {
            return codecs.of(target).writeValueAsBytes(read(bytes, format));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(WireFormat format) {
        return format == WireFormat.MSGPACK ? "msgpack" : "json";
    }

    private static WireFormat format(String name) {
        return "msgpack".equals(name) ? WireFormat.MSGPACK : WireFormat.JSON;
    }
}

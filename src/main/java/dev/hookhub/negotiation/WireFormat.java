package dev.hookhub.negotiation;

import jakarta.ws.rs.core.MediaType;

import java.util.Locale;
import java.util.Optional;

/** The two representations every route speaks (API.md §3). */
public enum WireFormat {
    JSON("application/json", "application/problem+json"),
    MSGPACK("application/x-msgpack", "application/x-msgpack");

    public static final String MSGPACK_TYPE = "application/x-msgpack";
    public static final MediaType MSGPACK_MEDIA_TYPE = MediaType.valueOf(MSGPACK_TYPE);
    /** Request-context property holding the negotiated format. */
    public static final String PROPERTY = "hookhub.format";

    private final String mediaType;
    private final String problemMediaType;

    WireFormat(String mediaType, String problemMediaType) {
        this.mediaType = mediaType;
        this.problemMediaType = problemMediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public String problemMediaType() {
        return problemMediaType;
    }

    /** The value of {@code ?format=}: json, msgpack or x-msgpack; anything else is empty. */
    public static Optional<WireFormat> fromFormatParameter(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "json" -> Optional.of(JSON);
            case "msgpack", "x-msgpack" -> Optional.of(MSGPACK);
            default -> Optional.empty();
        };
    }

    /** A media type (no parameters) that names one of the formats, aliases included. */
    public static Optional<WireFormat> fromMediaType(String type) {
        return switch (type.toLowerCase(Locale.ROOT).trim()) {
            case "application/json" -> Optional.of(JSON);
            case "application/x-msgpack", "application/msgpack", "application/vnd.msgpack" -> Optional.of(MSGPACK);
            default -> Optional.empty();
        };
    }

    /** The format a Content-Type header value names (parameters ignored); empty for none or another type. */
    public static Optional<WireFormat> fromContentType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        return fromMediaType(semicolon < 0 ? contentType : contentType.substring(0, semicolon));
    }

    /** True for the MessagePack media type and its aliases. */
    public static boolean isMsgpack(MediaType type) {
        return type != null && fromMediaType(type.getType() + "/" + type.getSubtype()).orElse(JSON) == MSGPACK;
    }
}

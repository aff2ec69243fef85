package dev.hookhub.support;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/** Conversions of reactive-client row values shared by the native-SQL readers. */
public final class SqlRows {

    private SqlRows() {
    }

    /** A subscription's {@code headers} jsonb column as a map. */
    public static Map<String, String> headers(JsonObject json) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (json != null) {
            json.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return headers;
    }

    public static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}

package dev.hookhub.api.v1;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.ProblemException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/** Cursor paging of /v1 lists: a {@code limit} query parameter and opaque cursors this API gives out. */
final class V1Paging {

    private V1Paging() {
    }

    static int pageSize(String limit, HookhubConfig config) {
        int max = config.subscriptions().maxPageSize();
        return boundedInt("limit", limit, Math.min(50, max), max);
    }

    /** An integer query parameter from 1 to max; {@code absent} when not given; 400 otherwise. */
    static int boundedInt(String name, String value, int absent, int max) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest("Query parameter '" + name + "' must be an integer from 1 to " + max
                + ", got '" + value + "'");
    }

    static String encodeCursor(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor holds, parsed; null for no cursor; 400 for one this API did not give out. */
    static <T> T decodeCursor(String cursor, Function<String, T> parse) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            T position = parse.apply(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (position == null) {
                throw new IllegalArgumentException();
            }
            return position;
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("Query parameter 'cursor' is not a cursor this API gave out");
        }
    }
}

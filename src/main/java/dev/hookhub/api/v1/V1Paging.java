package dev.hookhub.api.v1;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.ProblemException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
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

    /** One page: at most pageSize rows, and the cursor after its last row when more follow. */
    record Slice<T>(List<T> rows, String nextCursor) {

        <V> List<V> map(Function<T, V> view) {
            return rows.stream().map(view).toList();
        }
    }

    /**
     * The page of rows fetched as {@code pageSize + 1} (the one extra says whether more follow), with the
     * cursor that holds its last row's position.
     */
    static <T> Slice<T> slice(List<T> rows, int pageSize, Function<T, String> position) {
        boolean more = rows.size() > pageSize;
        List<T> page = more ? rows.subList(0, pageSize) : rows;
        return new Slice<>(page, more ? encodeCursor(position.apply(page.get(page.size() - 1))) : null);
    }
}

package dev.hookhub.negotiation;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code application/x-www-form-urlencoded} body, decoded by hookhub itself from the bytes the body
 * path buffered: UTF-8, {@code +} as a space, well-formed percent-escapes only (what a field may hold is
 * the route's to judge: a NUL in a client id is an unknown client). Any fault is a 400
 * problem (the framework's own form parser fails before application code runs and leaves the connection
 * unanswered). Held to the same bounds as JSON and MessagePack: at most {@link BodyBounds#MAX_VALUES} values.
 */
public final class FormBody {

    public static final String MEDIA_TYPE = "application/x-www-form-urlencoded";

    private record Field(String name, String value) {
    }

    private final List<Field> fields;

    private FormBody(List<Field> fields) {
        this.fields = fields;
    }

    /** Whether a Content-Type header value names a form (parameters ignored). */
    public static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().equalsIgnoreCase(MEDIA_TYPE);
    }

    public static FormBody parse(byte[] body) {
        List<Field> fields = new ArrayList<>();
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start, body.length);
            if (end > start) {
                int eq = indexOf(body, (byte) '=', start, end);
                int nameEnd = eq < end ? eq : end;
                String name = decode(body, start, nameEnd);
                String value = eq < end ? decode(body, eq + 1, end) : "";
                if (fields.size() * 2 + 2 > BodyBounds.MAX_VALUES) {
                    throw malformed("holds more than " + BodyBounds.MAX_VALUES + " values");
                }
                fields.add(new Field(name, value));
            }
            start = end + 1;
        }
        return new FormBody(fields);
    }

    /** The first value of this field (names compared exactly), or null. */
    public String first(String name) {
        for (Field field : fields) {
            if (field.name().equals(name)) {
                return field.value();
            }
        }
        return null;
    }

    /** The first value of this field, names compared in any case, or null. */
    public String firstIgnoringCase(String name) {
        for (Field field : fields) {
            if (field.name().equalsIgnoreCase(name)) {
                return field.value();
            }
        }
        return null;
    }

    /** The first index of the byte in [from, to), else {@code to}. */
    private static int indexOf(byte[] body, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (body[i] == b) {
                return i;
            }
        }
        return to;
    }

    private static String decode(byte[] body, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%') {
                int high = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
                int low = high >= 0 ? Character.digit(body[i + 2], 16) : -1;
                if (low < 0) {
                    throw malformed("invalid percent-encoding at offset " + i + " (a '%' must be followed by two hex digits)");
                }
                out.write(high << 4 | low);
                i += 2;
            } else {
                out.write(b);
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw malformed("a field is not UTF-8");
        }
        return text;
    }

    private static ProblemException malformed(String reason) {
        return BodyBounds.malformed("form", reason);
    }
}

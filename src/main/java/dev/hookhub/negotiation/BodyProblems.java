package dev.hookhub.negotiation;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import java.util.List;
import java.util.stream.Collectors;

/** Turns a body that cannot be read into a 400 that names the problem (and the field, when known). */
public final class BodyProblems {

    private BodyProblems() {
    }

    public static ProblemException malformed(String format, Throwable cause) {
        if (cause instanceof ProblemException p) {
            return p;
        }
        if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                && (cause instanceof MismatchedInputException || cause instanceof InvalidFormatException
                        || cause.getCause() instanceof IllegalArgumentException)) {
            String field = fieldPath(mapping);
            String message = cause instanceof InvalidFormatException invalid && invalid.getValue() instanceof String text
                    && text.indexOf('\0') >= 0 ? "must not contain NUL characters"
                    : cause instanceof InvalidFormatException invalid
                    ? "cannot read " + describe(invalid.getValue()) + " as " + typeName(invalid.getTargetType())
                    : cause instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null
                            ? "expected " + typeName(mismatched.getTargetType())
                            : "has the wrong type";
            return new ProblemException(new Problem("about:blank", "Bad Request", 400,
                    "Invalid field '" + field + "': " + message,
                    List.of(new Problem.FieldError(field, message)), null));
        }
        if (cause instanceof MismatchedInputException && ((MismatchedInputException) cause).getPath().isEmpty()) {
            return ProblemException.badRequest("Malformed " + format + " body: the body must be "
                    + (format.equals("JSON") ? "a JSON object" : "a MessagePack map"));
        }
        Throwable root = cause instanceof JsonMappingException && cause.getCause() != null ? cause.getCause() : cause;
        if (!(root instanceof java.io.IOException) && !(root instanceof org.msgpack.core.MessagePackException)) {
            // Not a reading failure the client can act on by its message (a parser's internal error): say what, not whose class.
            return ProblemException.badRequest("Malformed " + format + " body: it cannot be read as a " + format + " value");
        }
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : firstLine(cause.getMessage());
        if (cause instanceof java.io.EOFException || cause instanceof org.msgpack.core.MessageInsufficientBufferException
                || reason.contains("end-of-input") || reason.contains("EOF")) {
            reason = "the body ends too early (truncated)";
        }
        return ProblemException.badRequest("Malformed " + format + " body: " + reason);
    }

    static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String describe(Object value) {
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 date-time with an offset (2026-12-05T17:00:00Z) or a MessagePack timestamp";
        }
        return "an object";
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        // Jackson appends " at [Source: ...]" to some messages; it says nothing a client needs.
        int source = line.indexOf(" at [Source");
        String clean = source < 0 ? line : line.substring(0, source);
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}

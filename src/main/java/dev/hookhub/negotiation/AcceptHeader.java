package dev.hookhub.negotiation;

import java.util.Locale;
import java.util.Optional;

/**
 * Picks JSON or MessagePack from an Accept header with q-values (RFC 9110 §12.5.1). The most specific
 * range that matches a format gives its quality; JSON wins a tie; no header or a blank one means JSON.
 */
public final class AcceptHeader {

    private AcceptHeader() {
    }

    /** The preferred format, or empty when the header accepts neither (406). */
    public static Optional<WireFormat> choose(String accept) {
        if (accept == null || accept.isBlank()) {
            return Optional.of(WireFormat.JSON);
        }
        double json = quality(accept, "application", "json", "application/problem+json");
        double msgpack = Math.max(quality(accept, "application", "x-msgpack", null),
                Math.max(quality(accept, "application", "msgpack", null),
                        quality(accept, "application", "vnd.msgpack", null)));
        if (json <= 0 && msgpack <= 0) {
            return Optional.empty();
        }
        return Optional.of(msgpack > json ? WireFormat.MSGPACK : WireFormat.JSON);
    }

    /** Quality the header gives type/subtype (or the extra exact type), by the most specific range. */
    private static double quality(String accept, String type, String subtype, String alsoExact) {
        int bestSpecificity = -1;
        double best = 0;
        for (String part : accept.split(",")) {
            String[] pieces = part.split(";");
            if (pieces.length == 0) {
                continue;
            }
            String range = pieces[0].trim().toLowerCase(Locale.ROOT);
            if (range.isEmpty()) {
                continue;
            }
            double q = 1.0;
            for (int i = 1; i < pieces.length; i++) {
                String param = pieces[i].trim();
                if (param.toLowerCase(Locale.ROOT).startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2).trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            int specificity;
            if (range.equals(type + "/" + subtype) || range.equals(alsoExact)) {
                specificity = 2;
            } else if (range.equals(type + "/*")) {
                specificity = 1;
            } else if (range.equals("*/*")) {
                specificity = 0;
            } else {
                continue;
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                best = q;
            } else if (specificity == bestSpecificity) {
                best = Math.max(best, q);
            }
        }
        return best;
    }
}

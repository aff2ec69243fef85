package dev.hookhub.support;

/**
 * What the core refuses to do, in the domain's words: a value that breaks a rule, or a state that forbids
 * the change. The core never names an HTTP status; each surface maps a rejection to its own documented
 * answer (for /v1, ProblemMappers: 400 naming the field, 409). {@code Callers.Refused} is the same idea
 * for credentials.
 */
public abstract sealed class Rejection extends RuntimeException permits Rejection.InvalidField, Rejection.Conflict {

    private Rejection(String message) {
        super(message, null, false, false);
    }

    /** A field's value breaks a rule; nothing was changed. */
    public static InvalidField invalidField(String field, String reason) {
        return new InvalidField(field, reason);
    }

    /** The thing asked for exists, but its state (or another live one) forbids the change; nothing was changed. */
    public static Conflict conflict(String detail) {
        return new Conflict(detail);
    }

    public static final class InvalidField extends Rejection {
        private final String field;
        private final String reason;

        private InvalidField(String field, String reason) {
            super("Invalid field '" + field + "': " + reason);
            this.field = field;
            this.reason = reason;
        }

        public String field() {
            return field;
        }

        public String reason() {
            return reason;
        }
    }

    public static final class Conflict extends Rejection {
        private Conflict(String detail) {
            super(detail);
        }
    }
}

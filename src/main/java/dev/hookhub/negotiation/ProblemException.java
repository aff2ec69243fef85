package dev.hookhub.negotiation;

import java.util.List;

/**
 * A client error that ends a request with a problem-details answer. Thrown (or failed with) anywhere;
 * mapped once in {@link ProblemMappers}.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(Problem.of(400, "Bad Request", detail));
    }

    public static ProblemException invalidField(String field, String message) {
        return new ProblemException(new Problem("about:blank", "Bad Request", 400,
                "Invalid field '" + field + "': " + message, List.of(new Problem.FieldError(field, message)), null));
    }

    /** A path parameter that is not a UUID: 400 naming the parameter and what was sent. */
    public static ProblemException notAUuid(String parameter, String value) {
        return badRequest("Path parameter '" + parameter + "' must be a UUID, got '" + value + "'");
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "Unauthorized", detail));
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(Problem.of(403, "Forbidden", detail));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "Not Found", detail));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "Conflict", detail));
    }
}

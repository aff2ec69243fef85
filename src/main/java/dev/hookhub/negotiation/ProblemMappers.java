package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.store.SqlErrors;
import dev.hookhub.support.Rejection;
import io.quarkus.logging.Log;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure of every route, mapped once to a problem-details answer in the negotiated format. */
public class ProblemMappers {

    private final ProblemResponses problems;
    private final DatabaseOutage outage;

    public ProblemMappers(ProblemResponses problems, DatabaseOutage outage) {
        this.problems = problems;
        this.outage = outage;
    }

    /**
     * The 503 of a database fault, saying what the request may have left behind: "nothing was changed"
     * only when that is known; a read says neither. Every surface words it the same way.
     */
    public static Problem unavailable(SqlErrors.DatabaseFault fault, String method, long retryAfterSeconds) {
        boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        String outcome = safe ? "" : fault == SqlErrors.DatabaseFault.UNCHANGED ? "; nothing was changed"
                : "; the request may or may not have been applied (check before repeating it)";
        return Problem.of(503, "Service Unavailable", "The database is unavailable" + outcome
                + ". Retry after " + retryAfterSeconds + " seconds.");
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, ContainerRequestContext request) {
        return problems.response(request, e.problem());
    }

    /** The core's rejections, in /v1's words: 400 naming the field, or 409. */
    @ServerExceptionMapper
    public Response rejected(Rejection e, ContainerRequestContext request) {
        return problems.response(request, (e instanceof Rejection.InvalidField invalid
                ? ProblemException.invalidField(invalid.field(), invalid.reason())
                : ProblemException.conflict(e.getMessage())).problem());
    }

    @ServerExceptionMapper
    public Response unreadable(JacksonException e, ContainerRequestContext request) {
        if (e.getProcessor() instanceof JsonGenerator) {
            // Writing an answer failed: the server's fault, not a malformed request.
            return unexpected(e, request);
        }
        return problems.response(request, BodyProblems.malformed("JSON", e).problem());
    }

    /** Quarkus maps this one itself (an empty 400) unless the application does. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, ContainerRequestContext request) {
        return problems.response(request, BodyProblems.malformed("JSON", e).problem());
    }

    @ServerExceptionMapper
    public Response unparsable(StreamReadException e, ContainerRequestContext request) {
        return problems.response(request, BodyProblems.malformed("JSON", e).problem());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, ContainerRequestContext request) {
        return problems.response(request, Problem.of(404, "Not Found",
                "No resource at " + request.getUriInfo().getPath()));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, ContainerRequestContext request) {
        Response mapped = problems.response(request, Problem.of(405, "Method Not Allowed",
                "Method " + request.getMethod() + " is not allowed on " + request.getUriInfo().getPath()));
        var allowed = e.getResponse().getAllowedMethods();
        return allowed.isEmpty() ? mapped : Response.fromResponse(mapped).allow(allowed).build();
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e, ContainerRequestContext request) {
        String type = request.getHeaderString("Content-Type");
        return problems.response(request, Problem.of(415, "Unsupported Media Type",
                (type == null ? "A Content-Type is required" : "Content-Type '" + type + "' is not supported")
                        + ": send application/json or application/x-msgpack"));
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e, ContainerRequestContext request) {
        return problems.response(WireFormat.JSON, Problem.of(406, "Not Acceptable",
                "The Accept header allows neither application/json nor application/x-msgpack"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            Log.error("Request failed", e);
        }
        if (e.getCause() instanceof JacksonException jackson) {
            return problems.response(request, BodyProblems.malformed("JSON", jackson).problem());
        }
        if (status == 413) {
            return problems.response(request, Problem.of(413, "Content Too Large",
                    "The request body is larger than the limit"));
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "Error" : type.getReasonPhrase();
        return problems.response(request, Problem.of(status, title,
                e.getMessage() == null || e.getMessage().startsWith("HTTP ") ? title : e.getMessage()));
    }

    /** A database fault is 503 with Retry-After; the outage is logged once (DatabaseOutage), not per request. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, ContainerRequestContext request) {
        SqlErrors.DatabaseFault fault = SqlErrors.databaseFault(e);
        if (fault != null) {
            outage.seen(e, request.getMethod() + " " + request.getUriInfo().getPath());
            long retryAfter = outage.retryAfterSeconds();
            return Response.fromResponse(problems.response(request, unavailable(fault, request.getMethod(), retryAfter)))
                    .header(HttpHeaders.RETRY_AFTER, retryAfter).build();
        }
        if (SqlErrors.isRefusedValue(e)) {
            // A safety net: validation should have named the field before the database refused it.
            Log.warn("The database refused a value on " + request.getMethod() + " " + request.getUriInfo().getPath(), e);
            return problems.response(request, Problem.of(400, "Bad Request",
                    "A value in the request cannot be stored; nothing was changed"));
        }
        if (SqlErrors.isForeignKeyViolation(e)) {
            // A request admitted just before what it refers to was removed (an org's offboarding, whose tokens
            // another instance still remembers): the statement was refused and rolled back.
            Log.warnf("%s %s refers to a row removed meanwhile: %s", request.getMethod(), request.getUriInfo().getPath(),
                    e.toString());
            return problems.response(request, Problem.of(409, "Conflict",
                    "The request refers to something that no longer exists; nothing was changed"));
        }
        Log.error("Unexpected failure on " + request.getMethod() + " " + request.getUriInfo().getPath(), e);
        // Not "nothing was changed": a failure after the commit (writing the answer, say) cannot know that.
        return problems.response(request, Problem.of(500, "Internal Server Error", "The request failed on the server"));
    }
}

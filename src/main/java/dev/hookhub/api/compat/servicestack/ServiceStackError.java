package dev.hookhub.api.compat.servicestack;

import dev.hookhub.api.compat.servicestack.ServiceStackDtos.DeleteWebhookSubscriptionResponse;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.ResponseError;
import dev.hookhub.api.compat.servicestack.ServiceStackDtos.ResponseStatus;
import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.ProblemMappers;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.store.SqlErrors;
import dev.hookhub.support.Rejection;
import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The dialect's error shape: an HTTP status and ServiceStack's {@code responseStatus}, whose
 * {@code errorCode} is the .NET status name (or, for invalid fields, the first field's validator name).
 */
final class ServiceStackError extends RuntimeException {

    private final int status;
    private final transient ResponseStatus responseStatus;
    private final long retryAfterSeconds;

    private ServiceStackError(int status, ResponseStatus responseStatus, long retryAfterSeconds) {
        super(responseStatus.message(), null, false, false);
        this.status = status;
        this.responseStatus = responseStatus;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    private static ServiceStackError of(int status, String message) {
        return new ServiceStackError(status, new ResponseStatus(HttpStatusCodeNames.of(status), message, List.of()), 0);
    }

    /** 400 listing every invalid field; the status repeats the first one, as ServiceStack's validation does. */
    static ServiceStackError invalid(List<ResponseError> errors) {
        ResponseError first = errors.get(0);
        return new ServiceStackError(400, new ResponseStatus(first.errorCode(), first.message(), List.copyOf(errors)), 0);
    }

    static ResponseError notEmpty(String field) {
        return new ResponseError("NotEmpty", field, "'" + field + "' must not be empty.");
    }

    /** A body that cannot be read, as ServiceStack reports a failed deserialization. */
    static ServiceStackError unreadable(Problem problem) {
        List<ResponseError> errors = problem.errors() == null ? List.of() : problem.errors().stream()
                .map(e -> new ResponseError("SerializationException", fieldName(e.field()),
                        "'" + fieldName(e.field()) + "' " + e.message()))
                .toList();
        return new ServiceStackError(400, new ResponseStatus("SerializationException", problem.detail(), errors), 0);
    }

    static ServiceStackError notFound(UUID id) {
        return of(404, "Webhook subscription '" + id + "' does not exist.");
    }

    static ServiceStackError wrongSecret() {
        return of(401, "The secret does not match the webhook subscription's secret.");
    }

    static ServiceStackError throttled(long retryAfterSeconds) {
        return new ServiceStackError(429, new ResponseStatus(HttpStatusCodeNames.of(429),
                "Too many wrong secrets for this webhook subscription; retry in " + retryAfterSeconds + " seconds.",
                List.of()), retryAfterSeconds);
    }

    static ServiceStackError unsupported(String contentType) {
        return of(415, (contentType == null ? "A Content-Type is required" : "Content-Type '" + contentType
                + "' is not supported") + ": send application/json, application/x-msgpack or application/x-www-form-urlencoded.");
    }

    /** Any failure of a ServiceStack route, in the dialect's shape; a database fault is 503 with Retry-After. */
    static ServiceStackError from(Throwable failure, DatabaseOutage outage, String request) {
        if (failure instanceof ServiceStackError error) {
            return error;
        }
        SqlErrors.DatabaseFault fault = SqlErrors.databaseFault(failure);
        if (fault != null) {
            outage.seen(failure, request);
            long retryAfter = outage.retryAfterSeconds();
            return new ServiceStackError(503, new ResponseStatus(HttpStatusCodeNames.of(503),
                    ProblemMappers.unavailable(fault, "POST", retryAfter).detail(), List.of()), retryAfter);
        }
        if (failure instanceof ProblemException problem) {
            Problem p = problem.problem();
            List<ResponseError> errors = p.errors() == null ? List.of() : p.errors().stream()
                    .map(e -> new ResponseError(HttpStatusCodeNames.of(p.status()), fieldName(e.field()), e.message()))
                    .toList();
            return new ServiceStackError(p.status(), new ResponseStatus(HttpStatusCodeNames.of(p.status()), p.detail(),
                    errors), 0);
        }
        if (failure instanceof Rejection.InvalidField invalid) {
            return new ServiceStackError(400, new ResponseStatus(HttpStatusCodeNames.of(400), invalid.getMessage(),
                    List.of(new ResponseError(HttpStatusCodeNames.of(400), fieldName(invalid.field()), invalid.reason()))), 0);
        }
        if (failure instanceof Rejection.Conflict conflict) {
            return of(409, conflict.getMessage());
        }
        if (failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            int status = web.getResponse().getStatus();
            return of(status, web.getMessage() == null ? HttpStatusCodeNames.of(status) : web.getMessage());
        }
        Log.error("ServiceStack delete failed", failure);
        return of(500, "The request failed on the server.");
    }

    /** ServiceStack names fields by their DTO property: {@code Id}, {@code Secret}. */
    static String fieldName(String field) {
        if (field == null || field.isEmpty()) {
            return field;
        }
        String lower = field.toLowerCase(Locale.ROOT);
        if (lower.equals("id") || lower.equals("secret")) {
            return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
        }
        return field;
    }

    int status() {
        return status;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    DeleteWebhookSubscriptionResponse body() {
        return new DeleteWebhookSubscriptionResponse(null, null, responseStatus);
    }
}

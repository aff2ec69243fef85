package dev.hookhub.negotiation;

import dev.hookhub.edge.UnmatchedRequestMetrics;
import dev.hookhub.HookhubConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.net.URI;
import java.util.Optional;

/**
 * Chooses the response format of every request before routing (API.md §3): {@code ?format=} over a
 * {@code .json} / {@code .x-msgpack} path suffix (or ServiceStack's {@code /json/reply/} and
 * {@code /x-msgpack/reply/} prefixes) over Accept. The choice is pinned in the Accept header so the
 * resource's writer follows it, and kept as a request property for error answers.
 *
 * <p>A request refused here (unknown format, 406, a Content-Length over the limit) is answered only
 * after routing: thrown from a post-matching filter, the refusal reaches the matched route's own
 * exception mappers, so a dialect with its own error shape (ServiceStack) answers it in that shape.
 */
public class FormatNegotiation {

    private static final String JSON_SUFFIX = ".json";
    private static final String MSGPACK_SUFFIX = ".x-msgpack";
    /** Request property holding the refusal answered after routing. */
    private static final String REFUSAL = "hookhub.format.refusal";

    private final int maxBodySize;

    public FormatNegotiation(HookhubConfig config) {
        this.maxBodySize = config.maxBodySize();
    }

    @ServerRequestFilter(preMatching = true)
    public void negotiate(ContainerRequestContext request, HttpServerRequest http, RoutingContext routing) {
        // The raw path and query from Vert.x: UriInfo would build a java.net.URI and parse the whole query
        // on every request (1.6 % of the event loops' CPU under the delete benchmark) for a rare override.
        String rawPath = http.path();
        String rawQuery = http.query();
        if (!wellEscaped(rawPath) || (rawQuery != null && !wellEscaped(rawQuery))) {
            // Nothing can be routed or read from it: every '%' must start an escape of two hex digits.
            UnmatchedRequestMetrics.refusedBeforeRouting(routing);
            throw ProblemException.badRequest("The request target holds a '%' that is not followed by two hex digits");
        }
        String contentType = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && safeMediaType(contentType) == null) {
            // Routing would fail to parse it (a 500): drop it, and answer 415 once the route is known.
            request.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
            request.setProperty(REFUSAL, new ProblemException(Problem.of(415, "Unsupported Media Type",
                    "Content-Type '" + contentType + "' is not a media type: send application/json or application/x-msgpack")));
            contentType = null;
        }
        WireFormat chosen = null;
        ProblemException unknownFormat = null;

        boolean mayNameFormat = rawQuery != null && (rawQuery.contains("format") || rawQuery.indexOf('%') >= 0);
        String formatParameter = mayNameFormat ? request.getUriInfo().getQueryParameters().getFirst("format") : null;
        if (formatParameter != null) {
            Optional<WireFormat> named = WireFormat.fromFormatParameter(formatParameter);
            if (named.isEmpty()) {
                unknownFormat = ProblemException.badRequest(
                        "Unknown format '" + formatParameter + "': use json, msgpack or x-msgpack");
            } else {
                chosen = named.get();
            }
        }

        WireFormat byPath = null;
        String strippedPath = null;
        if (rawPath.endsWith(MSGPACK_SUFFIX) && rawPath.length() > MSGPACK_SUFFIX.length() + 1) {
            byPath = WireFormat.MSGPACK;
            strippedPath = rawPath.substring(0, rawPath.length() - MSGPACK_SUFFIX.length());
        } else if (rawPath.endsWith(JSON_SUFFIX) && rawPath.length() > JSON_SUFFIX.length() + 1) {
            byPath = WireFormat.JSON;
            strippedPath = rawPath.substring(0, rawPath.length() - JSON_SUFFIX.length());
        } else if (rawPath.startsWith("/x-msgpack/reply/")) {
            byPath = WireFormat.MSGPACK;
        } else if (rawPath.startsWith("/json/reply/")) {
            byPath = WireFormat.JSON;
        }
        if (strippedPath != null) {
            URI uri = request.getUriInfo().getRequestUri();
            request.setRequestUri(uri.resolve(strippedPath + (rawQuery == null ? "" : "?" + rawQuery)));
        }
        if (unknownFormat != null) {
            refuse(request, unknownFormat);
            return;
        }
        if (chosen == null) {
            chosen = byPath;
        }
        if (chosen == null) {
            Optional<WireFormat> accepted = AcceptHeader.choose(request.getHeaderString(HttpHeaders.ACCEPT));
            if (accepted.isEmpty()) {
                refuse(request, new ProblemException(Problem.of(406, "Not Acceptable",
                        "The Accept header allows neither application/json nor application/x-msgpack")));
                return;
            }
            chosen = accepted.get();
        }
        request.setProperty(WireFormat.PROPERTY, chosen);
        request.getHeaders().putSingle(HttpHeaders.ACCEPT, chosen.mediaType());

        if (contentType != null && WireFormat.isMsgpack(safeMediaType(contentType))) {
            request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, WireFormat.MSGPACK_TYPE);
        }
        if (request.getLength() > maxBodySize) {
            request.setProperty(REFUSAL, BodyLimit.tooLarge(maxBodySize));
        }
    }

    /** Answers a refusal of {@link #negotiate} once the route is known (before its body is read). */
    @ServerRequestFilter
    public void refused(ContainerRequestContext request) {
        if (request.getProperty(REFUSAL) instanceof ProblemException refusal) {
            throw refusal;
        }
    }

    /** Refused requests are answered in JSON. */
    private static void refuse(ContainerRequestContext request, ProblemException refusal) {
        request.setProperty(WireFormat.PROPERTY, WireFormat.JSON);
        request.getHeaders().putSingle(HttpHeaders.ACCEPT, WireFormat.JSON.mediaType());
        request.setProperty(REFUSAL, refusal);
    }

    @ServerResponseFilter
    public void vary(ContainerResponseContext response) {
        if (!response.getHeaders().containsKey(HttpHeaders.VARY)) {
            response.getHeaders().putSingle(HttpHeaders.VARY, HttpHeaders.ACCEPT);
        }
    }

    /** A media type, or null when the value is blank or not one (type/subtype and parameters). */
    private static jakarta.ws.rs.core.MediaType safeMediaType(String value) {
        if (value.isBlank()) {
            return null;
        }
        try {
            return jakarta.ws.rs.core.MediaType.valueOf(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether every '%' of a raw path or query starts a two-hex-digit escape. */
    static boolean wellEscaped(String raw) {
        for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}

package dev.hookhub.negotiation;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** Builds problem-details responses in the request's negotiated format. */
@ApplicationScoped
public class ProblemResponses {

    private final WireCodecs codecs;

    public ProblemResponses(WireCodecs codecs) {
        this.codecs = codecs;
    }

    public static WireFormat formatOf(ContainerRequestContext request) {
        Object format = request == null ? null : request.getProperty(WireFormat.PROPERTY);
        return format instanceof WireFormat f ? f : WireFormat.JSON;
    }

    public Response response(ContainerRequestContext request, Problem problem) {
        return response(formatOf(request), problem);
    }

    public Response response(WireFormat format, Problem problem) {
        return Response.status(problem.status())
                .header(HttpHeaders.CONTENT_TYPE, format.problemMediaType())
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                .entity(codecs.write(format, problem))
                .build();
    }

    /** Any other body, written in the given format as raw bytes (for answers built outside a resource). */
    public Response body(WireFormat format, int status, Object body) {
        return Response.status(status)
                .header(HttpHeaders.CONTENT_TYPE, format.mediaType())
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                .entity(codecs.write(format, body))
                .build();
    }
}

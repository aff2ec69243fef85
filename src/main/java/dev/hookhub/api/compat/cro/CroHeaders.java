package dev.hookhub.api.compat.cro;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The headers CRO sends on every answer under {@code /hooks} — successes, errors and preflights: the
 * API version (the request's when it is valid, else 2019/02/08), a new request id, Allow and CORS.
 * Keyed on the path rather than on the resource, so that answers made before a resource method is
 * chosen (405, 404 of a sub-path) carry them too.
 */
public class CroHeaders {

    static final String API_VERSION = "x-api-version";
    static final String DEFAULT_API_VERSION = "2019/02/08";
    static final Set<String> API_VERSIONS = Set.of("2019/02/08", "2021/04/07", "2021/05/07", "2021/08/02",
            "2021/11/04", "2023/04/19");
    private static final String METHODS = "GET,PATCH,DELETE";

    /** The requested version when it is one CRO defines; empty when absent or unknown. */
    static Optional<String> apiVersion(String requested) {
        return requested != null && API_VERSIONS.contains(requested) ? Optional.of(requested) : Optional.empty();
    }

    @ServerResponseFilter
    public void addHeaders(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (!(path.equals("/hooks") || path.startsWith("/hooks/"))) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle(API_VERSION, apiVersion(request.getHeaderString(API_VERSION)).orElse(DEFAULT_API_VERSION));
        headers.putSingle("x-request-id", UUID.randomUUID().toString());
        headers.putSingle(HttpHeaders.ALLOW, METHODS);
        headers.putSingle("Access-Control-Allow-Origin", "*");
        headers.putSingle("Access-Control-Allow-Methods", METHODS);
        headers.putSingle("Access-Control-Allow-Headers", "Authorization, Accept, X-TENANT-ID, Content-Type");
    }
}

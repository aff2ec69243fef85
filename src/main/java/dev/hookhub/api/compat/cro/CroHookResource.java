package dev.hookhub.api.compat.cro;

import dev.hookhub.api.Access;
import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Callers;
import dev.hookhub.tenancy.Tenancy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.regex.Pattern;

/**
 * CRO's Delete Hook: deactivates (soft-deletes, through the one delete core) the subscription whose
 * {@code number} is {@code hook_id}, for a bearer token of the tenant named in {@code x-tenant-id}.
 * Errors are problem details in the negotiated format; {@link CroHeaders} adds CRO's headers.
 */
@Path("/hooks")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class CroHookResource {

    static final String SURFACE = "cro";
    /** CRO's pattern for the header, as its document gives it (the dots read as dots); see {@link #wellFormed}. */
    static final String AUTHORIZATION_PATTERN = "^bearer [a-z0-9-_=]+\\.[a-z0-9-_=]+\\.?[a-z0-9-_.+/=]*$";
    private static final Pattern POSITIVE_INTEGER = Pattern.compile("0*[1-9][0-9]{0,17}");

    private final Callers callers;
    private final Tenancy tenancy;
    private final SubscriptionDeletion deletion;
    private final WireCodecs codecs;
    private final int maxAuthorizationLength;

    public CroHookResource(Callers callers, Tenancy tenancy, SubscriptionDeletion deletion, WireCodecs codecs,
            CroConfig config) {
        this.callers = callers;
        this.tenancy = tenancy;
        this.deletion = deletion;
        this.codecs = codecs;
        this.maxAuthorizationLength = config.maxAuthorizationLength();
    }

    @Access(Access.Who.DIALECT_TOKEN)
    @DELETE
    @Path("/{hook_id}")
    public Uni<CroDtos.Webhook> delete(@PathParam("hook_id") String hookId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam("x-tenant-id") String tenantId,
            @HeaderParam(CroHeaders.API_VERSION) String apiVersion,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body,
            @Context HttpServerRequest http) {
        checkAuthorization(authorization);
        long tenant = positiveInteger("Header 'x-tenant-id'", tenantId);
        if (apiVersion != null && CroHeaders.apiVersion(apiVersion).isEmpty()) {
            throw ProblemException.badRequest("Header 'x-api-version' must be one of "
                    + String.join(", ", CroHeaders.API_VERSIONS.stream().sorted().toList()) + ", got '"
                    + apiVersion + "'");
        }
        long number = positiveInteger("Path parameter 'hook_id'", hookId);
        readIgnoredBody(contentType, body);
        return callers.bearer()
                .onFailure(Callers.Refused.class).transform(e -> ProblemException.unauthorized(e.getMessage()))
                .call(caller -> tenancy.orgNumber(caller.orgId()).invoke(orgNumber -> {
                    if (orgNumber == null || orgNumber != tenant) {
                        throw ProblemException.forbidden("The token is not valid for tenant " + tenant);
                    }
                }))
                .invoke(CroHookResource::requireWriter)
                .flatMap(caller -> deletion.delete(DeletionRequest.of(new DeletionScope.ByNumber(caller.orgId(), number),
                        caller.actor(), SURFACE, ClientAddress.of(http))))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No hook " + number))
                .map(CroMapper::webhook);
    }

    /** The CORS preflight: no credentials, CRO's headers only. */
    @Access(Access.Who.PUBLIC)
    @OPTIONS
    @Path("/{hook_id}")
    public RestResponse<Void> preflight() {
        return RestResponse.noContent();
    }

    /**
     * CRO's rules for the header: present (else 401), a bearer token of its pattern, at most
     * hookhub.cro.max-authorization-length characters (else 400). The token itself is checked after.
     */
    private void checkAuthorization(String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            throw ProblemException.unauthorized("The Authorization header is required (Authorization: Bearer <token>)");
        }
        if (authorization.length() > maxAuthorizationLength) {
            throw ProblemException.badRequest("Header 'Authorization' must be at most " + maxAuthorizationLength
                    + " characters, got " + authorization.length());
        }
        if (!wellFormed(authorization)) {
            throw ProblemException.badRequest("Header 'Authorization' must be 'Bearer ' and a token ("
                    + AUTHORIZATION_PATTERN + ", any case)");
        }
    }

    /**
     * Whether the header matches {@link #AUTHORIZATION_PATTERN} (ASCII, any case), in one pass: the regex
     * over a 700-character token was a twentieth of the JVM's work per CRO delete. The pattern reads as:
     * "bearer ", a segment, a dot, a segment character, then any mix of segment characters and {@code . + /}
     * (the optional second dot is one of those).
     */
    static boolean wellFormed(String header) {
        int n = header.length();
        if (n < 7 || !header.regionMatches(true, 0, "bearer ", 0, 7)) {
            return false;
        }
        int i = 7;
        while (i < n && segment(header.charAt(i))) {
            i++;
        }
        if (i == 7 || i + 1 >= n || header.charAt(i) != '.' || !segment(header.charAt(i + 1))) {
            return false;
        }
        for (i += 2; i < n; i++) {
            char c = header.charAt(i);
            if (!segment(c) && c != '.' && c != '+' && c != '/') {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-z0-9-_=]}, any case. */
    private static boolean segment(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || c == '=';
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw ProblemException.forbidden("Role Admin or Dispatcher is required to delete a hook");
        }
    }

    private static long positiveInteger(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw ProblemException.badRequest(name + " is required (a positive integer)");
        }
        if (!POSITIVE_INTEGER.matcher(value).matches()) {
            throw ProblemException.badRequest(name + " must be a positive integer, got '" + value + "'");
        }
        return Long.parseLong(value);
    }

    /** No body, or an empty object as CRO's samples send ({@code {}}): accepted and ignored. */
    private void readIgnoredBody(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            return;
        }
        WireFormat format = WireFormat.fromContentType(contentType).orElse(null);
        if (format == null) {
            throw new ProblemException(Problem.of(415, "Unsupported Media Type",
                    (contentType == null ? "A Content-Type is required with a body" : "Content-Type '" + contentType
                            + "' is not supported") + ": send no body, or {} as application/json"));
        }
        if (!codecs.check(format, body)) {
            throw ProblemException.badRequest("Malformed " + (format == WireFormat.MSGPACK ? "MessagePack body: the body must be a MessagePack map"
                    : "JSON body: the body must be a JSON object") + " ({} is accepted and ignored)");
        }
    }
}

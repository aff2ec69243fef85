package dev.hookhub.api.compat.cro;

import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;

import java.util.regex.Pattern;

/**
 * A Delete Hook request in CRO's grammar: a well-formed Authorization header (the token itself is checked
 * after, by the resource), the tenant of {@code x-tenant-id}, an optional known {@code x-api-version}, the
 * {@code hook_id} and an ignored body. Each refusal is the problem CRO's document gives, in its order.
 */
record CroDeleteRequest(long tenant, long hook) {

    /** CRO's pattern for the header, as its document gives it (the dots read as dots); see {@link #wellFormed}. */
    static final String AUTHORIZATION_PATTERN = "^bearer [a-z0-9-_=]+\\.[a-z0-9-_=]+\\.?[a-z0-9-_.+/=]*$";
    private static final Pattern POSITIVE_INTEGER = Pattern.compile("0*[1-9][0-9]{0,17}");

    /**
     * The request, or the problem of its first bad part: the Authorization header (401 when missing, 400
     * when longer than {@code maxAuthorizationLength} or not of the pattern), x-tenant-id, x-api-version,
     * hook_id (400), the body (415 or 400). {@code codecs} is used only when there is a body.
     */
    static CroDeleteRequest parse(String hookId, String authorization, String tenantId, String apiVersion,
            String contentType, byte[] body, int maxAuthorizationLength, WireCodecs codecs) {
        checkAuthorization(authorization, maxAuthorizationLength);
        long tenant = positiveInteger("Header 'x-tenant-id'", tenantId);
        if (apiVersion != null && CroHeaders.apiVersion(apiVersion).isEmpty()) {
            throw ProblemException.badRequest("Header 'x-api-version' must be one of "
                    + String.join(", ", CroHeaders.API_VERSIONS.stream().sorted().toList()) + ", got '"
                    + apiVersion + "'");
        }
        long hook = positiveInteger("Path parameter 'hook_id'", hookId);
        checkIgnoredBody(contentType, body, codecs);
        return new CroDeleteRequest(tenant, hook);
    }

    /**
     * CRO's rules for the header: present (else 401), a bearer token of its pattern, at most
     * hookhub.cro.max-authorization-length characters (else 400).
     */
    private static void checkAuthorization(String authorization, int maxAuthorizationLength) {
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
    private static void checkIgnoredBody(String contentType, byte[] body, WireCodecs codecs) {
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

package dev.hookhub.negotiation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The seeded generator of {@link HostileInputFuzzTest}: from the routes the OpenAPI document declares
 * and the fixtures the test set up, one hostile request at a time. Every choice is drawn from one
 * {@link SplittableRandom}, and never depends on what the service answered, so a seed replays the same
 * sequence of requests (the ids in them are the run's own fixtures).
 */
final class HostileRequests {

    static final int MAX_BODY = 1024 * 1024;

    /** One method of one route as the OpenAPI document declares it; {@code path} is one alternative of its template. */
    record Target(String method, String template, String path, boolean takesBody, List<String> bodyTypes,
            List<String> queryParams, List<String> headerParams) {

        Family family() {
            if (template.startsWith("/v1/admin")) {
                return Family.ADMIN;
            } else if (template.startsWith("/oauth/token")) {
                return Family.TOKEN;
            } else if (template.startsWith("/v1/")) {
                return Family.BEARER;
            } else if (template.startsWith("/organizations/")) {
                return Family.M3TER;
            } else if (template.startsWith("/webhooks/unregister")) {
                return Family.API_KEY;
            } else if (template.startsWith("/hooks")) {
                return Family.CRO;
            } else if (path.endsWith("/login/token")) {
                return Family.CUSTOMER_TOKEN;
            } else if (path.startsWith("/{customerId}")) {
                return Family.CUSTOMER;
            }
            return Family.SECRET_IN_BODY;
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** How a route authenticates its caller. */
    enum Family {
        ADMIN, TOKEN, BEARER, M3TER, API_KEY, CRO, CUSTOMER_TOKEN, CUSTOMER, SECRET_IN_BODY
    }

    /** A subscription the fixtures hold: its ids and the secret shown at creation. */
    record Sub(String id, long number, String secret) {
    }

    /** What the requests may name: the run's tenants, their credentials and rows. Slots may be refilled between requests. */
    interface Fixtures {
        String orgId();

        int orgNumber();

        String foreignOrgId();

        /**
         * An empty org kept for offboarding ({@code DELETE /v1/admin/orgs/{orgId}} with the admin token takes a whole
         * org, which no slot refill brings back); replaced once a request offboarded it.
         */
        String disposableOrgId();

        int foreignOrgNumber();

        String token();

        String viewerToken();

        String foreignToken();

        String expiredToken();

        String clientId();

        String clientSecret();

        String apiKey();

        String viewerApiKey();

        String foreignApiKey();

        /** One of the tenant's live subscriptions, by slot (the number of slots is fixed). */
        Sub sub(int slot);

        Sub foreignSub();

        String eventId();

        String foreignEventId();

        String deliveryId();
    }

    record Header(String name, String value) {
        @Override
        public String toString() {
            String shown = value.length() > 80 ? value.substring(0, 80) + "...(" + value.length() + " chars)" : value;
            return name + ": " + escape(shown);
        }
    }

    /**
     * One request. {@code rawTarget} is the path and query exactly as sent; {@code raw} sends it over a
     * plain socket (bytes no HTTP client would send); {@code expectTooLarge} marks a request whose only
     * fault is a body over the limit, which must be answered 413.
     */
    record HostileRequest(int index, Target target, String method, String rawTarget, List<Header> headers, byte[] body,
            boolean chunked, boolean raw, String kind, String bodyKind, boolean expectTooLarge) {

        String describe(long seed) {
            StringBuilder out = new StringBuilder();
            out.append("seed ").append(seed).append(", request #").append(index).append(" (").append(kind).append(")\n    ")
                    .append(method).append(' ').append(escape(rawTarget.length() > 300
                            ? rawTarget.substring(0, 300) + "...(" + rawTarget.length() + " chars)" : rawTarget))
                    .append(raw ? "  [raw socket]" : "").append(chunked ? "  [chunked]" : "");
            for (Header h : headers) {
                out.append("\n    ").append(h);
            }
            if (body != null) {
                out.append("\n    body ").append(body.length).append(" bytes: ")
                        .append(HexFormat.of().formatHex(body, 0, Math.min(48, body.length)))
                        .append(body.length > 48 ? "..." : "");
            }
            return out.toString();
        }
    }

    private static final String JSON = "application/json";
    private static final String MSGPACK = "application/x-msgpack";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final int SLOTS = 6;

    private final SplittableRandom random;
    private final List<Target> targets;
    private final Fixtures fixtures;

    HostileRequests(long seed, List<Target> targets, Fixtures fixtures) {
        this.random = new SplittableRandom(seed);
        this.targets = targets;
        this.fixtures = fixtures;
    }

    static int slots() {
        return SLOTS;
    }

    /** Request {@code index}: the targets in turn, so every route and method gets its share. */
    HostileRequest next(int index) {
        Target target = targets.get(index % targets.size());
        if (random.nextInt(100) < 4) {
            return tooLarge(index, target);
        }
        // Half the requests are hostile in one respect only, so that it reaches what reads it: the body
        // (for a route that takes one), else the path, the query, the credential or the other headers.
        // The other half are hostile anywhere.
        boolean focused = random.nextBoolean();
        String aspect = !focused ? "all" : target.takesBody() ? (random.nextInt(100) < 75 ? "body" : "content-type")
                : pick("path", "query", "credential", "headers");
        List<String> kinds = new ArrayList<>();
        if (focused) {
            kinds.add("only the " + aspect + " hostile");
        }
        String method = target.method();
        if (!focused && random.nextInt(100) < 5) {
            method = pick("GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "FOO");
            kinds.add("method " + method);
        }
        boolean raw = !focused && random.nextInt(100) < 6;
        String path = expand(target, kinds, !focused || aspect.equals("path"));
        if (!focused && random.nextInt(100) < 15) {
            String suffix = pick(".json", ".x-msgpack", ".xml", ".JSON", ".msgpack", "..json", ".x-msgpack.json", ".");
            path += suffix;
            kinds.add("suffix " + suffix);
        }
        String query = !focused || aspect.equals("query") ? query(target, kinds) : "";
        List<Header> headers = new ArrayList<>();
        credential(target, headers, kinds, !focused || aspect.equals("credential"));
        if (!focused || aspect.equals("headers")) {
            oddHeaders(target, headers, kinds);
        }

        byte[] body = null;
        String bodyKind = "no body";
        boolean chunked = false;
        boolean bodyMethod = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
        if (focused && aspect.equals("content-type") && bodyMethod) {
            // The route's own plain body, or a MessagePack one, under an odd Content-Type.
            Body b = random.nextBoolean() ? plainBody(target) : new Body("msgpack valid base", MSGPACK, msgpack(baseBody(target)));
            body = b.bytes();
            bodyKind = b.kind();
            String contentType = oddContentType(b.contentType());
            kinds.add(0, b.kind());
            kinds.add("content-type " + (contentType == null ? "none" : "'" + shorten(contentType) + "'"));
            if (contentType != null) {
                headers.add(new Header("Content-Type", contentType));
            }
        } else if (focused ? aspect.equals("body") && bodyMethod : bodyMethod ? random.nextInt(100) < 92 : random.nextInt(100) < 8) {
            Body b = body(target, focused);
            body = b.bytes();
            bodyKind = b.kind().replaceAll("\\b\\d+\\b", "N");
            kinds.add(0, b.kind());
            String contentType = b.contentType();
            if (!focused && random.nextInt(100) < 20) {
                contentType = oddContentType(b.contentType());
                kinds.add("content-type " + (contentType == null ? "none" : "'" + shorten(contentType) + "'"));
            } else if (focused && contentType == null) {
                contentType = JSON;
            }
            if (contentType != null) {
                headers.add(new Header("Content-Type", contentType));
            }
            if (random.nextInt(100) < 15 || (body.length > 16 * 1024 && random.nextBoolean())) {
                chunked = true;
                kinds.add("chunked");
            }
        }
        if (raw && chunked) {
            raw = false;
        }
        return new HostileRequest(index, target, method, path + query, headers, body, chunked,
                raw || needsRawSocket(path + query, headers), String.join(", ", kinds), bodyKind, false);
    }

    /** A request right in every respect but a body just over the limit: 413, whatever the route. */
    private HostileRequest tooLarge(int index, Target target) {
        List<String> kinds = new ArrayList<>();
        String path = expand(target, kinds, false);
        List<Header> headers = new ArrayList<>();
        credential(target, headers, kinds, false);
        String type = plainBody(target).contentType();
        int size = MAX_BODY + 1 + random.nextInt(4096);
        byte[] body = switch (type) {
            case MSGPACK -> padMsgpack(size);
            case FORM -> padForm(size);
            default -> padJson(size);
        };
        headers.add(new Header("Content-Type", type));
        boolean chunked = random.nextBoolean();
        boolean expect = target.takesBody();
        return new HostileRequest(index, target, target.method(), path, headers, body, chunked, false,
                "over 1 MiB (" + size + " bytes " + type + (chunked ? ", chunked" : "") + ")",
                "over 1 MiB " + type + (chunked ? " chunked" : ""), expect);
    }

    // ---- Paths --------------------------------------------------------------------------------------

    private String expand(Target target, List<String> kinds, boolean hostile) {
        String path = target.path();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < path.length()) {
            int open = path.indexOf('{', i);
            int marker = path.indexOf("[^/]+", i);
            if (open < 0 && marker < 0) {
                out.append(path, i, path.length());
                break;
            }
            boolean regex = marker >= 0 && (open < 0 || marker < open);
            int start = regex ? marker : open;
            out.append(path, i, start);
            String name = regex ? "id" : path.substring(open + 1, path.indexOf('}', open));
            out.append(segment(target, name, kinds, hostile));
            i = regex ? marker + 5 : path.indexOf('}', open) + 1;
        }
        return out.toString();
    }

    /** A value for one path parameter: usually one that names something, else something hostile. */
    private String segment(Target target, String name, List<String> kinds, boolean hostile) {
        if (target.method().equals("DELETE") && target.template().equals("/v1/admin/orgs/{orgId}")) {
            // The operator's offboarding is allowed on any org: only ever the one kept for it, or none.
            return !hostile || random.nextInt(4) > 0 ? fixtures.disposableOrgId() : randomUuid();
        }
        // Where the path is the one hostile thing, every parameter names nothing the caller may see.
        boolean only = hostile && kinds.contains("only the path hostile");
        if (only && random.nextBoolean()) {
            String other = pick(randomUuid(), fixtures.foreignSub().id(), fixtures.foreignOrgId(), Long.toString(fixtures.foreignSub().number()));
            kinds.add("path " + name + "=" + other);
            return other;
        }
        if (hostile && (only || random.nextInt(100) < 35)) {
            String garbage = garbageSegment();
            kinds.add("path " + name + "=" + shorten(garbage));
            return garbage;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        int roll = random.nextInt(100);
        if (lower.contains("org") || lower.contains("customer")) {
            if (!hostile || roll < 75) {
                return fixtures.orgId();
            }
            return roll < 88 ? fixtures.foreignOrgId() : randomUuid();
        }
        if (lower.equals("hook_id")) {
            int slot = random.nextInt(SLOTS);
            if (!hostile || roll < 65) {
                return Long.toString(fixtures.sub(slot).number());
            }
            return roll < 80 ? Long.toString(fixtures.foreignSub().number())
                    : pick("0", "-1", "2147483648", "9223372036854775807", "99999999999999999999", "1.0", "1e3", "+1", "0x1", "007");
        }
        String template = target.template();
        int slot = random.nextInt(SLOTS);
        if (template.startsWith("/v1/events/")) {
            return !hostile || roll < 65 ? fixtures.eventId() : roll < 80 ? fixtures.foreignEventId() : randomUuid();
        }
        if (template.startsWith("/v1/deliveries/")) {
            return !hostile || roll < 65 ? fixtures.deliveryId() : randomUuid();
        }
        if (!hostile || roll < 65) {
            return fixtures.sub(slot).id();
        }
        return roll < 80 ? fixtures.foreignSub().id() : roll < 90 ? randomUuid()
                : fixtures.sub(slot).id().toUpperCase(Locale.ROOT);
    }

    private String garbageSegment() {
        String uuid = fixtures.sub(random.nextInt(SLOTS)).id();
        return pick("..", "%2e%2e", ".", "%00", "%0a", "%0d%0a", "%25", "%ff", "%c0%ae", "%2f", "%5c", "a%2fb", "%e2%80%ae",
                "%20", "%09", "null", "-1", "0", "9223372036854775808", "1e9", "%7B%7D", "'%20OR%20'1'%3D'1--",
                "%3Cscript%3E", "*", ";x=1", "%u0000", "a".repeat(3000 + random.nextInt(3000)), "%41".repeat(2000),
                "%7B" + uuid + "%7D", uuid.replace("-", ""), uuid + "x", uuid.substring(0, 35), uuid + "%00",
                "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "%F0%9F%92%A9",
                "%ED%A0%80", "%C3%28", "%FE%FF", "..%2f..%2fetc%2fpasswd", "%2e", "~", "$", "%", "%G0", "%%",
                "\u00ff\u00fe", "a\u0001b", "\u00e9");
    }

    private String query(Target target, List<String> kinds) {
        int roll = random.nextInt(100);
        if (roll < 65) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (roll < 85) {
            String format = pick("json", "msgpack", "x-msgpack", "xml", "", "JSON", "x-msgpack%00", "%00", "j%73on",
                    "json&format=xml", "msgpack;q=1", "a".repeat(5000), "%ff", "%", "%G0", "*/*", "csv");
            parts.add("format=" + format);
        } else if (roll < 93 && !target.queryParams().isEmpty()) {
            String name = target.queryParams().get(random.nextInt(target.queryParams().size()));
            parts.add(name + "=" + pick("-1", "0", "99999999999999999999", "abc", "%00", "", "1e400", "%ff%fe",
                    "a".repeat(4000), "NaN", "' or 1=1--", "%", "2147483648", fixtures.sub(0).id(), "%2e%2e%2f"));
        } else {
            parts.add(pick("%", "%%%", "=&=&%", "a=%G0", "&&&", "format", "format==json", "a=" + "b".repeat(6000),
                    "\u00ff=\u00fe", "a[]=1&a[]=2", "format=json&format=msgpack"));
        }
        String query = "?" + String.join("&", parts);
        kinds.add("query " + shorten(query));
        return query;
    }

    private static boolean needsRawSocket(String target, List<Header> headers) {
        for (char c : target.toCharArray()) {
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`'
                    || c == '{' || c == '|' || c == '}') {
                return true;
            }
        }
        for (int i = 0; i < target.length(); i++) {
            if (target.charAt(i) == '%' && (i + 2 >= target.length() || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2)))) {
                return true;
            }
        }
        for (Header h : headers) {
            for (char c : h.value().toCharArray()) {
                if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    // ---- Credentials and headers ---------------------------------------------------------------------

    private void credential(Target target, List<Header> headers, List<String> kinds, boolean hostile) {
        int roll = hostile ? random.nextInt(100) : 0;
        if (hostile && kinds.contains("only the credential hostile")) {
            roll = 45 + random.nextInt(55);
        }
        Family family = target.family();
        if (roll < 45) {
            switch (family) {
                case ADMIN -> headers.add(new Header("Authorization", "Bearer dev-admin-token"));
                case TOKEN, CUSTOMER_TOKEN -> headers.add(new Header("Authorization", basic(fixtures.clientId(), fixtures.clientSecret())));
                case BEARER, M3TER, CUSTOMER -> headers.add(new Header("Authorization", "Bearer " + fixtures.token()));
                case API_KEY -> headers.add(new Header("x-api-key", fixtures.apiKey()));
                case CRO -> {
                    headers.add(new Header("Authorization", "Bearer " + fixtures.token()));
                    headers.add(new Header("x-tenant-id", Integer.toString(fixtures.orgNumber())));
                    headers.add(new Header("x-api-version", "2021/04/07"));
                }
                case SECRET_IN_BODY -> {
                }
            }
            return;
        }
        if (roll < 55) {
            kinds.add("viewer credential");
            headers.add(family == Family.API_KEY ? new Header("x-api-key", fixtures.viewerApiKey())
                    : new Header("Authorization", "Bearer " + fixtures.viewerToken()));
            return;
        }
        if (roll < 65) {
            kinds.add("foreign credential");
            headers.add(family == Family.API_KEY ? new Header("x-api-key", fixtures.foreignApiKey())
                    : new Header("Authorization", "Bearer " + fixtures.foreignToken()));
            if (family == Family.CRO) {
                headers.add(new Header("x-tenant-id", Integer.toString(random.nextBoolean() ? fixtures.orgNumber() : fixtures.foreignOrgNumber())));
            }
            return;
        }
        if (roll < 78) {
            kinds.add("no credential");
            return;
        }
        String junk = junkAuthorization();
        kinds.add("Authorization '" + shorten(junk) + "'");
        headers.add(new Header("Authorization", junk));
        if (family == Family.CRO) {
            headers.add(new Header("x-tenant-id", Integer.toString(fixtures.orgNumber())));
        }
    }

    private String junkAuthorization() {
        String token = fixtures.token();
        String[] parts = token.split("\\.");
        String header = parts[0];
        String payload = parts[1];
        String otherOrg = b64url("{\"iss\":\"hookhub\",\"sub\":\"x\",\"org\":\"" + fixtures.foreignOrgId() + "\",\"org_number\":"
                + fixtures.foreignOrgNumber() + ",\"groups\":[\"Admin\"],\"exp\":4102444800}");
        return pick("Bearer", "Bearer ", "Bearer  ", "bearer " + token, "Bearer " + token + "x", "Bearer " + token + " extra",
                "Bearer a.b.c", "Bearer ...", "Bearer " + "a".repeat(9000), "Bearer " + "A".repeat(40000),
                "Bearer " + b64url("{\"alg\":\"none\"}") + "." + payload + ".",
                "Bearer " + b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + otherOrg + ".",
                "Bearer " + header + "." + otherOrg + "." + parts[2],
                "Bearer " + b64url("{\"alg\":\"HS256\",\"kid\":\"hookhub-1\"}") + "." + otherOrg + "." + b64url("forged"),
                "Bearer " + b64url("{\"alg\":\"RS256\",\"kid\":\"../../../../etc/passwd\"}") + "." + payload + "." + parts[2],
                "Bearer " + b64url("{\"alg\":\"RS256\",\"jku\":\"http://127.0.0.1:1/jwks\"}") + "." + payload + "." + parts[2],
                "Bearer " + b64url("{\"alg\":\"RS256\"") + "." + payload + "." + parts[2],
                "Bearer " + header + "." + b64url("[]") + "." + parts[2],
                "Bearer " + header + "." + b64url("{\"org\":12,\"groups\":\"Admin\"}") + "." + parts[2],
                "Bearer " + fixtures.expiredToken(), "Bearer dev-admin-token", "Bearer %00", "Bearer \u00ff\u00fe",
                "Bearer a\u0000b", "Basic " + b64("no-colon"), "Basic " + b64(":"), "Basic !!!", "Basic ",
                "Basic " + b64(fixtures.clientId() + ":wrong"), "Basic " + b64("\u00ff:\u00fe"),
                "Basic " + b64("a".repeat(20000) + ":b"), "Negotiate abc", "Digest x", "Bearer\ttoken", "" + token,
                "BEARER " + header + "." + payload, "Bearer " + header + ".", "Bearer =.=.=", "Bearer a_b-c=.d+e/f.g");
    }

    private void oddHeaders(Target target, List<Header> headers, List<String> kinds) {
        if (random.nextInt(100) < 35) {
            String accept = pick("application/x-msgpack;q=abc", "application/json;q=abc", "*/*;q=2", ";;;,", "text/html",
                    "application/json;q=0, application/x-msgpack;q=0", "application/x-msgpack", "application/msgpack",
                    "application/vnd.msgpack", "*/*", "application/*;q=0.1", "application/json;q=-1", "application/json;q=1e309",
                    "application/json;" + "a=b;".repeat(2000), "application/json, " + "x/y, ".repeat(2000),
                    "\u00ff/\u00fe", "application/json;charset=\"", "application/problem+json", "", " ", ",", "application",
                    "application/x-msgpack;q=0.5, application/json;q=0.5", "*/x-msgpack", "application/x-msgpack; q=1.0000001");
            headers.add(new Header("Accept", accept));
            kinds.add("Accept '" + shorten(accept) + "'");
        }
        if (random.nextInt(100) < 20) {
            int which = random.nextInt(6);
            Header h = switch (which) {
                case 0 -> new Header("x-api-key", pick("", " ", "x", "a".repeat(10000), "' or 1=1--", "\u00ff", fixtures.apiKey() + "x",
                        fixtures.apiKey().toUpperCase(Locale.ROOT), "%00"));
                case 1 -> new Header("x-tenant-id", pick("", "-1", "0", "99999999999999999999", "abc", "1e3", " 1", "+1", "0x10",
                        "1.5", "\u00ff", "1,2", Integer.toString(fixtures.foreignOrgNumber())));
                case 2 -> new Header("x-api-version", pick("", "2019/2/8", "../..", "2019/02/08/", "2099/01/01", "a".repeat(5000),
                        "2019/02/08, 2021/04/07", "\u00ff"));
                case 3 -> new Header("Content-Encoding", pick("gzip", "deflate", "br", "x-unknown"));
                case 4 -> new Header("X-Forwarded-For", pick("not-an-ip", "1.1.1.1, 2.2.2.2", "::1", "a".repeat(4000)));
                default -> new Header("x-" + "h".repeat(random.nextInt(1, 40)), "v".repeat(random.nextInt(0, 2000)));
            };
            headers.add(h);
            kinds.add("header " + shorten(h.toString()));
        }
    }

    private String oddContentType(String usual) {
        return pick(null, "", "text/plain", "application/xml", "multipart/form-data; boundary=", "*/*", "application/*",
                "application/json; charset=ebcdic", "application/json; charset=utf-16", "application/json;charset=",
                "application/x-msgpack; foo", "application/msgpack", "application/vnd.msgpack", ";;;",
                "application/json, application/x-msgpack", "application/x-www-form-urlencoded; charset=nope",
                "application/x-www-form-urlencoded; charset=utf-16", "application/json; " + "a=b; ".repeat(1500),
                "application/problem+json", "text/json", usual + "; charset=\"", usual + "+json", "APPLICATION/JSON",
                "application/octet-stream", "\u00ff/\u00fe", "application/json\u0000");
    }

    // ---- Bodies --------------------------------------------------------------------------------------

    record Body(String kind, String contentType, byte[] bytes) {
    }

    /** The route's plain base body, in JSON unless the route takes forms only. */
    private Body plainBody(Target target) {
        Map<String, Object> base = baseBody(target);
        return target.bodyTypes().contains(FORM) && !target.bodyTypes().contains(JSON)
                ? new Body("form", FORM, form(base)) : new Body("json", JSON, utf8(json(base)));
    }

    /** A hostile body; {@code declared}: only in a format the route declares (any, for one that reads bytes). */
    private Body body(Target target, boolean declared) {
        Map<String, Object> base = baseBody(target);
        int family = random.nextInt(100);
        if (declared) {
            List<String> types = target.bodyTypes();
            boolean any = types.isEmpty() || types.stream().anyMatch(t -> !t.equals(JSON) && !t.equals(MSGPACK) && !t.equals(FORM));
            List<Integer> allowed = new ArrayList<>();
            if (any || types.contains(JSON)) {
                allowed.add(random.nextInt(36));
            }
            if (any || types.contains(MSGPACK)) {
                allowed.add(36 + random.nextInt(36));
            }
            if (any || types.contains(FORM)) {
                allowed.add(72 + random.nextInt(16));
            }
            family = random.nextInt(100) < 4 ? 88 + random.nextInt(12) : allowed.get(random.nextInt(allowed.size()));
        }
        if (family < 36) {
            return jsonBody(base);
        } else if (family < 72) {
            return msgpackBody(base);
        } else if (family < 88) {
            return formBody(base);
        } else if (family < 93) {
            return new Body("empty body", pick(JSON, MSGPACK, FORM), new byte[0]);
        }
        byte[] bytes = new byte[random.nextInt(1, 40000)];
        random.nextBytes(bytes);
        return new Body("random bytes", pick(JSON, MSGPACK, FORM, null), bytes);
    }

    private Map<String, Object> baseBody(Target target) {
        Map<String, Object> base = new LinkedHashMap<>();
        String t = target.template();
        Sub sub = fixtures.sub(random.nextInt(SLOTS));
        if (t.startsWith("/v1/subscriptions")) {
            if (t.endsWith("/rotate")) {
                base.put("secret", "whsec_" + Base64.getEncoder().encodeToString(new byte[32]));
            } else {
                base.put("name", "fuzz");
                base.put("url", "http://127.0.0.1:9/fuzz");
                base.put("events", List.of("fuzz.heard"));
                base.put("headers", Map.of("X-Fuzz", "1"));
                base.put("contentType", "application/json");
            }
        } else if (t.startsWith("/v1/events")) {
            base.put("type", "fuzz.unheard");
            base.put("payload", Map.of("a", 1));
            base.put("idempotencyKey", "k");
        } else if (t.startsWith("/v1/admin")) {
            base.put("name", "fuzz");
            if (t.contains("{orgId}")) {
                base.put("roles", List.of("Admin"));
            }
        } else if (t.startsWith("/oauth/token") || t.endsWith("/login/token") || target.path().endsWith("/login/token")) {
            base.put("grant_type", "client_credentials");
            base.put("client_id", fixtures.clientId());
            base.put("client_secret", random.nextBoolean() ? fixtures.clientSecret() : "wrong");
        } else if (target.family() == Family.SECRET_IN_BODY) {
            base.put(random.nextBoolean() ? "id" : "Id", sub.id());
            base.put(random.nextBoolean() ? "secret" : "Secret", random.nextInt(4) == 0 ? sub.secret() : "whsec_wrong");
        }
        return base;
    }

    private Body jsonBody(Map<String, Object> base) {
        String valid = json(base);
        // A third fit in 16 kB, what the transport hands over in one buffer; the rest up to 100,000 levels.
        int depth = random.nextInt(3) == 0 ? random.nextInt(2000, 16_000) : random.nextInt(16_000, 100_001);
        switch (random.nextInt(15)) {
            case 0:
                return new Body("json malformed", JSON, utf8(pick("{\"a\":", "{,}", "[}", "{\"a\" 1}", "{'a':1}", "{a:1}", "nul",
                        "{\"a\":tru}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":1,}", "[1,]", "\"", "{\"a\":\"\\x\"}", "}", ",",
                        "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-}", "{\"\\ud800\":1}", "/* */{}", "{}//")));
            case 1:
                return new Body("json truncated", JSON, utf8(valid.substring(0, random.nextInt(Math.max(1, valid.length())))));
            case 2: {
                String nested = "[".repeat(depth) + (random.nextBoolean() ? "]".repeat(depth) : "");
                return random.nextBoolean() ? new Body("json array nesting " + depth, JSON, utf8(nested))
                        : new Body("json array nesting " + depth + " in a field", JSON, utf8(json(withNestingField(base, new Raw(nested)))));
            }
            case 3: {
                String nested = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                return random.nextBoolean() ? new Body("json object nesting " + depth, JSON, utf8(nested))
                        : new Body("json object nesting " + depth + " in a field", JSON, utf8(json(withNestingField(base, new Raw(nested)))));
            }
            case 4: {
                int n = random.nextInt(100_000, MAX_BODY - 200);
                Map<String, Object> m = withRandomField(base, "x".repeat(n));
                return new Body("json huge string " + n, JSON, utf8(json(m)));
            }
            case 5: {
                Map<String, Object> m = withRandomField(base, wrongType());
                return new Body("json wrong type", JSON, utf8(json(m)));
            }
            case 6:
                return new Body("json NUL", JSON, utf8(random.nextBoolean() ? valid.replaceFirst("\":\"", "\":\"\\\\u0000")
                        : valid.replaceFirst("\":\"", "\":\"\u0000")));
            case 7:
                return new Body("json trailing garbage", JSON, utf8(valid + pick("}", "{}", " x", "\u0000", "[]", ",1", "\n\n{\"a\":1}",
                        "garbage".repeat(100))));
            case 8: {
                String key = base.isEmpty() ? "name" : base.keySet().iterator().next();
                return new Body("json duplicate keys", JSON, utf8("{" + "\"" + key + "\":\"a\",\"" + key + "\":{\"x\":[1]},"
                        + valid.substring(1)));
            }
            case 9: {
                byte[] v = utf8(valid);
                byte[] bad = pickBytes(new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {(byte) 0xc0, (byte) 0x80},
                        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xc3});
                int at = Math.max(1, v.length / 2);
                return new Body("json invalid UTF-8", JSON, concat(java.util.Arrays.copyOf(v, at), bad,
                        java.util.Arrays.copyOfRange(v, at, v.length)));
            }
            case 10:
                return new Body("json huge number", JSON, utf8(json(withRandomField(base, new Raw(pick("1e999999999", "-1e-999999999",
                        "9".repeat(100_000), "123456789012345678901234567890", "-0", "1.0e+", "0." + "0".repeat(50_000) + "1"))))));
            case 11: {
                int n = random.nextInt(10_000, 100_000);
                StringBuilder sb = new StringBuilder("{");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
                }
                return new Body("json " + n + " keys", JSON, utf8(sb.append('}').toString()));
            }
            case 12: {
                int n = random.nextInt(100_000, 400_000);
                return new Body("json array of " + n, JSON, utf8(json(withRandomField(base, new Raw("[" + "0,".repeat(n) + "0]")))));
            }
            case 13:
                return new Body("json top-level " , JSON, utf8(pick("[]", "null", "1", "\"s\"", "true", "[" + valid + "]", "{}")));
            default:
                return new Body("json valid base", JSON, utf8(valid));
        }
    }

    private Body msgpackBody(Map<String, Object> base) {
        byte[] valid = msgpack(base);
        int depth = random.nextInt(3) == 0 ? random.nextInt(15_000, 16_000) : random.nextInt(16_000, 100_001);
        switch (random.nextInt(15)) {
            case 0:
                return new Body("msgpack truncated", MSGPACK, java.util.Arrays.copyOf(valid, random.nextInt(Math.max(1, valid.length))));
            case 1: {
                byte[] lie = pickBytes(hex("c63fffffff00"), hex("db3fffffff6162"), hex("c93fffffff01"), hex("dd80000000"),
                        hex("df80000000"), hex("dd7fffffff"), hex("df7fffffff"), hex("c6ffffffff"), hex("dbffffffff"),
                        hex("c9ffffffff01"), hex("c5ffff"), hex("daffff41"), hex("dcffff"), hex("deffff"), hex("c8ffff01"));
                boolean nested = random.nextBoolean();
                byte[] body = nested ? msgpackWithRandomField(base, lie) : lie;
                return new Body("msgpack length lie " + HexFormat.of().formatHex(lie, 0, Math.min(5, lie.length))
                        + (nested ? " in a map" : ""), MSGPACK, body);
            }
            case 2: {
                byte[] nested = new byte[depth + 1];
                java.util.Arrays.fill(nested, (byte) 0x91);
                nested[depth] = (byte) 0xc0;
                return random.nextBoolean() ? new Body("msgpack array nesting " + depth, MSGPACK, nested)
                        : new Body("msgpack array nesting " + depth + " in a field", MSGPACK,
                                msgpack(withNestingField(base, new RawMsgpack(nested))));
            }
            case 3: {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = 0; i < depth; i++) {
                    out.write(0x81);
                    out.write(0xa1);
                    out.write('a');
                }
                out.write(0xc0);
                return random.nextBoolean() ? new Body("msgpack map nesting " + depth, MSGPACK, out.toByteArray())
                        : new Body("msgpack map nesting " + depth + " in a field", MSGPACK,
                                msgpack(withNestingField(base, new RawMsgpack(out.toByteArray()))));
            }
            case 4:
                return new Body("msgpack byte 0xc1", MSGPACK, random.nextBoolean() ? new byte[] {(byte) 0xc1}
                        : concat(java.util.Arrays.copyOf(valid, valid.length / 2), new byte[] {(byte) 0xc1},
                                java.util.Arrays.copyOfRange(valid, valid.length / 2, valid.length)));
            case 5: {
                byte[] ts = pickBytes(hex("d5ff0001"), hex("c703ff000102"), hex("c705ff0102030405"), hex("c710ff" + "00".repeat(16)),
                        hex("c70cff" + "ffffffff" + "0000000000000000"), hex("d6ff"), hex("d7ff00"), hex("c700ff"),
                        hex("d7ff" + "ffffffffffffffff"));
                return new Body("msgpack bad timestamp " + HexFormat.of().formatHex(ts, 0, Math.min(3, ts.length)), MSGPACK,
                        msgpackWithRandomField(base, ts));
            }
            case 6:
                return new Body("msgpack wrong type", MSGPACK, msgpack(withRandomField(base, wrongType())));
            case 7: {
                byte[] key = pickBytes(hex("01"), hex("c0"), hex("c3"), hex("c40161"), hex("9101"), hex("8101 01".replace(" ", "")),
                        hex("cb3ff0000000000000"), hex("d6ff00000000"));
                return new Body("msgpack non-string key", MSGPACK, concat(new byte[] {(byte) 0x81}, key, hex("a178")));
            }
            case 8: {
                int n = random.nextInt(100_000, MAX_BODY - 200);
                return new Body("msgpack huge string " + n, MSGPACK, msgpack(withRandomField(base, "x".repeat(n))));
            }
            case 9:
                return new Body("msgpack trailing garbage", MSGPACK, concat(valid, pickBytes(hex("c1"), hex("80"), hex("ff"),
                        hex("00000000"), valid)));
            case 10: {
                byte[] bad = concat(new byte[] {(byte) 0x81}, msgpackString("name"), hex("a4"), new byte[] {(byte) 0xff, (byte) 0xfe,
                        (byte) 0xed, (byte) 0xa0});
                return new Body("msgpack invalid UTF-8 string", MSGPACK, bad);
            }
            case 11: {
                // Declares more entries than follow, each small: the count alone must not size an allocation.
                int n = random.nextInt(1 << 12, 1 << 16);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(0xdc + random.nextInt(2) * 2);
                out.write(n >>> 8 & 0xff);
                out.write(n & 0xff);
                out.writeBytes(new byte[random.nextInt(1, 2000)]);
                return new Body("msgpack collection count " + n + " > bytes", MSGPACK, out.toByteArray());
            }
            case 12: {
                int n = random.nextInt(100_000, 500_000);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(0xdd);
                out.writeBytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                out.writeBytes(new byte[n]);
                return new Body("msgpack array of " + n, MSGPACK, concat(new byte[] {(byte) 0x81}, msgpackString("events"), out.toByteArray()));
            }
            case 13:
                return new Body("msgpack top-level", MSGPACK, pickBytes(hex("90"), hex("c0"), hex("01"), hex("a173"), hex("c3"), hex("80"),
                        concat(hex("91"), valid), hex("d4ff00"), hex("c70061")));
            default:
                return new Body("msgpack valid base", MSGPACK, valid);
        }
    }

    private Body formBody(Map<String, Object> base) {
        String valid = new String(form(base), StandardCharsets.ISO_8859_1);
        switch (random.nextInt(10)) {
            case 0:
                return new Body("form bad escape", FORM, ascii(pick("%%%", "x=%G0", "=&=&%", valid + "%", valid + "&%", "%", "a=%",
                        "a=%4", "grant_type=%zz", "Id=%u0041", "%=%", valid + "&x=%0")));
            case 1: {
                byte[] bad = pickBytes(hex("ff"), hex("c080"), hex("eda080"), hex("c3"));
                return new Body("form invalid UTF-8", FORM, random.nextBoolean()
                        ? concat(ascii(valid + "&x="), bad) : ascii(valid + "&x=" + pick("%ff", "%c0%80", "%ed%a0%80", "%c3")));
            }
            case 2: {
                int n = random.nextInt(100_000, MAX_BODY - 200);
                return new Body("form huge value " + n, FORM, ascii(valid + "&x=" + "a".repeat(n)));
            }
            case 3: {
                int n = random.nextInt(10_000, 200_000);
                return new Body("form " + n + " fields", FORM, ascii(valid + "&a".repeat(n)));
            }
            case 4:
                return new Body("form NUL", FORM, ascii(valid.replace("=", "=%00") + "&\u0000=\u0000"));
            case 5:
                return new Body("form duplicate fields", FORM, ascii(valid + "&" + valid + "&Id=&id=&Secret=&secret=&grant_type="));
            case 6:
                return new Body("form odd separators", FORM, ascii(pick(";;;", "&&&", "====", "+++", "a=b=c", valid.replace('&', ';'),
                        "\r\n" + valid, valid + "\r\n\r\n")));
            case 7:
                return new Body("form json-looking", FORM, utf8(json(base)));
            default:
                return new Body("form valid base", FORM, ascii(valid));
        }
    }

    private byte[] padJson(int size) {
        String head = "{\"name\":\"";
        String tail = "\"}";
        return utf8(head + "x".repeat(size - head.length() - tail.length()) + tail);
    }

    private byte[] padMsgpack(int size) {
        byte[] head = concat(new byte[] {(byte) 0x81}, msgpackString("name"));
        int n = size - head.length - 5;
        byte[] str = new byte[5 + n];
        str[0] = (byte) 0xdb;
        str[1] = (byte) (n >>> 24);
        str[2] = (byte) (n >>> 16);
        str[3] = (byte) (n >>> 8);
        str[4] = (byte) n;
        java.util.Arrays.fill(str, 5, str.length, (byte) 'x');
        return concat(head, str);
    }

    private byte[] padForm(int size) {
        return ascii("grant_type=client_credentials&x=" + "a".repeat(size - 32));
    }

    private Map<String, Object> withRandomField(Map<String, Object> base, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        List<String> keys = new ArrayList<>(m.keySet());
        String key = keys.isEmpty() || random.nextInt(5) == 0 ? pick("name", "id", "x", "events", "payload") : keys.get(random.nextInt(keys.size()));
        m.put(key, value);
        return m;
    }

    /** The base with a nested value where the route takes any value (an event's payload), else in a random field. */
    private Map<String, Object> withNestingField(Map<String, Object> base, Object value) {
        if (base.containsKey("payload") && random.nextInt(4) > 0) {
            Map<String, Object> m = new LinkedHashMap<>(base);
            m.put("payload", value);
            return m;
        }
        return withRandomField(base, value);
    }

    private byte[] msgpackWithRandomField(Map<String, Object> base, byte[] rawValue) {
        return msgpack(withRandomField(base, new RawMsgpack(rawValue)));
    }

    private Object wrongType() {
        return switch (random.nextInt(10)) {
            case 0 -> 1;
            case 1 -> true;
            case 2 -> List.of("a", 1);
            case 3 -> Map.of("a", Map.of());
            case 4 -> null;
            case 5 -> 1.5;
            case 6 -> Long.MIN_VALUE;
            case 7 -> List.of();
            case 8 -> new Raw("18446744073709551616");
            default -> "";
        };
    }

    // ---- Encoders (hand-written, so that they can carry what a real encoder refuses) ---------------------

    /** JSON text put in as is. */
    record Raw(String text) {
    }

    /** MessagePack bytes put in as is. */
    record RawMsgpack(byte[] bytes) {
    }

    static String json(Object value) {
        StringBuilder out = new StringBuilder();
        writeJson(out, value);
        return out.toString();
    }

    private static void writeJson(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Raw r) {
            out.append(r.text());
        } else if (value instanceof RawMsgpack r) {
            out.append('"').append(HexFormat.of().formatHex(r.bytes())).append('"');
        } else if (value instanceof String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 && c != 0) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeJson(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeJson(out, String.valueOf(e.getKey()));
                out.append(':');
                writeJson(out, e.getValue());
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException(String.valueOf(value));
        }
    }

    static byte[] msgpack(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeMsgpack(out, value);
        return out.toByteArray();
    }

    private static void writeMsgpack(ByteArrayOutputStream out, Object value) {
        if (value == null) {
            out.write(0xc0);
        } else if (value instanceof RawMsgpack r) {
            out.writeBytes(r.bytes());
        } else if (value instanceof Raw r) {
            writeMsgpack(out, r.text());
        } else if (value instanceof String s) {
            out.writeBytes(msgpackString(s));
        } else if (value instanceof Boolean b) {
            out.write(b ? 0xc3 : 0xc2);
        } else if (value instanceof Double d) {
            out.write(0xcb);
            long bits = Double.doubleToLongBits(d);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (i * 8)) & 0xff);
            }
        } else if (value instanceof Number n) {
            long v = n.longValue();
            out.write(0xd3);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (v >>> (i * 8)) & 0xff);
            }
        } else if (value instanceof List<?> list) {
            header(out, 0xdd, list.size());
            list.forEach(item -> writeMsgpack(out, item));
        } else if (value instanceof Map<?, ?> map) {
            header(out, 0xdf, map.size());
            map.forEach((k, v) -> {
                writeMsgpack(out, String.valueOf(k));
                writeMsgpack(out, v);
            });
        } else {
            throw new IllegalArgumentException(String.valueOf(value));
        }
    }

    private static void header(ByteArrayOutputStream out, int marker, int size) {
        out.write(marker);
        out.write(size >>> 24 & 0xff);
        out.write(size >>> 16 & 0xff);
        out.write(size >>> 8 & 0xff);
        out.write(size & 0xff);
    }

    static byte[] msgpackString(String s) {
        byte[] b = utf8(s);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 5);
        header(out, 0xdb, b.length);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static byte[] form(Map<String, Object> map) {
        List<String> parts = new ArrayList<>();
        map.forEach((k, v) -> parts.add(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + java.net.URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8)));
        return ascii(String.join("&", parts));
    }

    // ---- Small helpers -------------------------------------------------------------------------------

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    /** A UUID from the seeded generator, so a replay names the same unknown ids. */
    private String randomUuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private byte[] pickBytes(byte[]... options) {
        return options[random.nextInt(options.length)];
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String b64url(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(s));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(utf8(s));
    }

    static String basic(String id, String secret) {
        return "Basic " + b64(id + ":" + secret);
    }

    static String shorten(String s) {
        return escape(s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || (c >= 0x7f && c <= 0xff) ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

}

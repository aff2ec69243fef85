package dev.hookhub.subscription;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.support.Rejection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/** The validation of every subscription field, whichever surface it came through. Failures name the field. */
@ApplicationScoped
public class SubscriptionRules {

    static final int MAX_EVENTS = 50;
    static final int MAX_HEADERS = 20;
    /** Bounds of rateLimit (attempts started per second) and maxInFlight: the columns' checks (V18). */
    public static final int MAX_RATE_LIMIT = 10_000;
    public static final int MAX_IN_FLIGHT = 1_000;
    /** What a rateLimit must be, for the field's 400 whichever layer finds it wrong. */
    public static final String RATE_LIMIT_RULE = "must be an integer from 1 to " + MAX_RATE_LIMIT
            + " (deliveries per second), or null for no limit";
    public static final String MAX_IN_FLIGHT_RULE = "must be an integer from 1 to " + MAX_IN_FLIGHT
            + ", or null for the instance default";
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");
    private static final Pattern SECRET = Pattern.compile("whsec_([A-Za-z0-9+/]+={0,2})");
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "host",
            "webhook-id", "webhook-timestamp", "webhook-signature", "transfer-encoding", "connection",
            "user-agent", "te", "upgrade", "expect", "keep-alive", "trailer", "proxy-authorization");

    private final boolean allowPrivateTargets;

    @Inject
    public SubscriptionRules(HookhubConfig config) {
        this(config.delivery().allowPrivateTargets());
    }

    SubscriptionRules(boolean allowPrivateTargets) {
        this.allowPrivateTargets = allowPrivateTargets;
    }

    public String name(String value) {
        return text("name", required("name", value), 1, 200);
    }

    public String description(String value) {
        return value == null || value.isEmpty() ? null : text("description", value, 1, 2000);
    }

    public String code(String value) {
        return value == null || value.isEmpty() ? null : text("code", value, 1, 200);
    }

    public String url(String value) {
        String url = required("url", value).trim();
        if (url.length() > 2048) {
            throw Rejection.invalidField("url", "must be at most 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw Rejection.invalidField("url", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw Rejection.invalidField("url", "must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw Rejection.invalidField("url", "must name a host");
        }
        if (uri.getUserInfo() != null) {
            throw Rejection.invalidField("url", "must not carry credentials; use headers instead");
        }
        // Refused whether or not private targets are allowed: no setting makes an ambiguous address safe.
        if (TargetAddresses.isAmbiguousIpv4(uri.getHost())) {
            throw Rejection.invalidField("url",
                    "spells an IPv4 address in a form parsers read differently; write it as four decimal numbers"
                            + " without leading zeros (a.b.c.d)");
        }
        if (!allowPrivateTargets && isPrivateHost(uri.getHost())) {
            throw Rejection.invalidField("url",
                    "points at a loopback, private or link-local address, which this service does not deliver to");
        }
        return url;
    }

    public List<String> events(List<String> value) {
        if (value == null || value.isEmpty()) {
            throw Rejection.invalidField("events", "must list at least one event type");
        }
        if (value.size() > MAX_EVENTS) {
            throw Rejection.invalidField("events", "must list at most " + MAX_EVENTS + " event types");
        }
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (int i = 0; i < value.size(); i++) {
            names.add(eventType("events[" + i + "]", value.get(i)));
        }
        return new ArrayList<>(names);
    }

    /** One event type name, as a subscription lists it or an event carries it. */
    public String eventType(String field, String name) {
        if (name == null || !EVENT_NAME.matcher(name).matches()) {
            throw Rejection.invalidField(field,
                    "must be 1 to 100 letters, digits or . _ : / - (starting with a letter or digit)");
        }
        return name;
    }

    public String contentType(String value) {
        if (value == null || value.isBlank()) {
            return WireFormat.JSON.mediaType();
        }
        return WireFormat.fromMediaType(value).map(WireFormat::mediaType).orElseThrow(() ->
                Rejection.invalidField("contentType", "must be application/json or application/x-msgpack"));
    }

    public Map<String, String> headers(Map<String, String> value) {
        if (value == null) {
            return Map.of();
        }
        if (value.size() > MAX_HEADERS) {
            throw Rejection.invalidField("headers", "must have at most " + MAX_HEADERS + " entries");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : value.entrySet()) {
            String name = e.getKey();
            if (name == null || !HEADER_NAME.matcher(name).matches()) {
                throw Rejection.invalidField("headers", "'" + name + "' is not a valid header name");
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw Rejection.invalidField("headers." + name, "is set by hookhub and cannot be overridden");
            }
            String v = e.getValue();
            if (v == null || v.length() > 1024 || v.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw Rejection.invalidField("headers." + name,
                        "must be a string of at most 1024 characters without line breaks");
            }
            headers.put(name, v);
        }
        return headers;
    }

    /** Attempts started per second: empty clears it (no limit); else 1 to {@value #MAX_RATE_LIMIT}. */
    public Integer rateLimit(OptionalLong value) {
        return bounded("rateLimit", value, MAX_RATE_LIMIT, RATE_LIMIT_RULE);
    }

    /** Attempts in flight at once: empty clears it (the instance default); else 1 to {@value #MAX_IN_FLIGHT}. */
    public Integer maxInFlight(OptionalLong value) {
        return bounded("maxInFlight", value, MAX_IN_FLIGHT, MAX_IN_FLIGHT_RULE);
    }

    /** {@code none} (the default when absent) or {@code fifo}. */
    public String ordering(String value) {
        if (value == null) {
            return Subscription.UNORDERED;
        }
        if (!value.equals(Subscription.UNORDERED) && !value.equals(Subscription.FIFO)) {
            throw Rejection.invalidField("ordering", "must be '" + Subscription.UNORDERED + "' or '" + Subscription.FIFO + "'");
        }
        return value;
    }

    private static Integer bounded(String field, OptionalLong value, int max, String rule) {
        if (value.isEmpty()) {
            return null;
        }
        long n = value.getAsLong();
        if (n < 1 || n > max) {
            throw Rejection.invalidField(field, rule);
        }
        return (int) n;
    }

    /** A caller-given signing secret: whsec_ and the base64 of 24 to 64 bytes. */
    public String secret(String value) {
        var m = SECRET.matcher(value);
        int length = -1;
        if (m.matches()) {
            try {
                length = Base64.getDecoder().decode(m.group(1)).length;
            } catch (IllegalArgumentException e) {
                length = -1;
            }
        }
        if (length < 24 || length > 64) {
            throw Rejection.invalidField("secret", "must be 'whsec_' followed by the base64 of 24 to 64 bytes");
        }
        return value;
    }

    /** An owner public key: PEM (SubjectPublicKeyInfo) RSA of at least 2048 bits. */
    public String ownerPublicKey(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            parsePublicKey(value);
        } catch (RuntimeException e) {
            throw Rejection.invalidField("ownerPublicKey", e.getMessage());
        }
        return value.trim();
    }

    public static RSAPublicKey parsePublicKey(String pem) {
        String body = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        RSAPublicKey key;
        try {
            key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (Exception e) {
            throw new IllegalArgumentException("must be an RSA public key in PEM (BEGIN PUBLIC KEY) form");
        }
        if (key.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("must be an RSA key of at least 2048 bits");
        }
        return key;
    }

    /** Literal addresses (and localhost) that {@link TargetAddresses#isInternal} refuses. */
    static boolean isPrivateHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost")) {
            return true;
        }
        if (!lower.matches("[0-9.]+") && !lower.contains(":")) {
            return false;
        }
        try {
            return TargetAddresses.isInternal(InetAddress.getByName(lower));
        } catch (Exception e) {
            return false;
        }
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw Rejection.invalidField(field, "is required");
        }
        return value;
    }

    private static String text(String field, String value, int min, int max) {
        if (value.length() < min || value.length() > max) {
            throw Rejection.invalidField(field, "must be " + min + " to " + max + " characters");
        }
        return value;
    }
}

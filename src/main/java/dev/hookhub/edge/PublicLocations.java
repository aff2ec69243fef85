package dev.hookhub.edge;

import dev.hookhub.HookhubConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every {@code Location} hookhub sends names hookhub itself: relative ({@code /v1/subscriptions/{id}})
 * by default, or under {@code hookhub.public-base-url} when set. JAX-RS turns a relative location into an
 * absolute one from the request's Host header (or an absolute-form request target), which a caller or a
 * proxy in between chooses; so whatever a route built, its origin is dropped here, once, for all routes.
 */
@ApplicationScoped
public class PublicLocations {

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** After {@link UnmatchedRequestMetrics}; any order works, both only look at the answer. */
    private static final int PRIORITY = 999;

    private final String base;

    @Inject
    public PublicLocations(HookhubConfig config) {
        this(config.publicBaseUrl());
    }

    PublicLocations(Optional<String> publicBaseUrl) {
        this.base = publicBaseUrl.map(PublicLocations::validBase).orElse("");
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            rc.addHeadersEndHandler(v -> rewrite(rc));
            rc.next();
        }, PRIORITY);
    }

    private void rewrite(RoutingContext rc) {
        String location = rc.response().headers().get(HttpHeaders.LOCATION);
        if (location != null) {
            rc.response().headers().set(HttpHeaders.LOCATION, publicLocation(location));
        }
    }

    /** The location without any scheme or host, under the public base URL when one is configured. */
    String publicLocation(String location) {
        String rest = location;
        var scheme = SCHEME.matcher(rest);
        if (scheme.find()) {
            rest = rest.substring(scheme.end());
        }
        if (rest.startsWith("//")) {
            int end = indexOfAny(rest, 2, "/?#");
            rest = end < 0 ? "/" : rest.substring(end);
        }
        if (rest.isEmpty() || rest.charAt(0) == '?' || rest.charAt(0) == '#') {
            rest = "/" + rest;
        }
        if (rest.startsWith("/")) {
            // "//host/..." left after the origin (a request path that began with //) would name a host again.
            rest = "/" + rest.replaceFirst("^/+", "");
            return base + rest;
        }
        return rest; // relative to the request's own path: it cannot name another host
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** An absolute http(s) URL without query or fragment; its path is kept as a prefix (a proxy's). */
    static String validBase(String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw invalid(value);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw invalid(value);
        }
        String s = uri.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static IllegalStateException invalid(String value) {
        return new IllegalStateException("hookhub.public-base-url must be an absolute http(s) URL without query,"
                + " fragment or credentials, such as https://hooks.example.com; got '" + value + "'");
    }
}

package dev.hookhub.support;

import io.vertx.core.http.HttpServerRequest;

/** The address a request came from, as audit records keep it (API.md §2 step 6). */
public final class ClientAddress {

    private ClientAddress() {
    }

    /** The peer's IP address, or null when the transport has none (a Unix socket, say). */
    public static String of(HttpServerRequest http) {
        return http == null || http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
    }
}

package dev.hookhub.edge;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives every request that no route declared one {@code uri} label, {@value #LABEL}, in
 * {@code http_server_requests}. Micrometer labels a request by its route template, and without one by
 * the raw path: only a 404 falls back to {@code NOT_FOUND}, so a 405 on {@code /v1/subscriptions/<any
 * id>}, an OPTIONS on any path (answered 200 by the {@code /{customerId}} class) or a transport refusal
 * each made a label of their own, until Micrometer's cap of 100 labels stopped recording new routes.
 */
@ApplicationScoped
public class UnmatchedRequestMetrics {

    static final String LABEL = "/unmatched";
    /** Marks a request refused before routing: the framework labels it by its raw path otherwise. */
    private static final String UNROUTED = "hookhub.unrouted";
    /** Where Quarkus' micrometer binder reads the route template (the request context's local). */
    private static final String TEMPLATE = "UrlPathTemplate";
    /** Runs before every route, so its headers-end hook sees every answer. */
    private static final int PRIORITY = 1000;

    private final String managementPrefix;

    public UnmatchedRequestMetrics(
            @ConfigProperty(name = "quarkus.http.non-application-root-path", defaultValue = "q") String managementRoot) {
        String root = managementRoot.startsWith("/") ? managementRoot : "/" + managementRoot;
        this.managementPrefix = root.endsWith("/") ? root : root + "/";
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            rc.addHeadersEndHandler(v -> label(rc));
            rc.next();
        }, PRIORITY);
    }

    /**
     * Labels a request refused before routing (it names no route) as unmatched at once; Quarkus would label
     * it by its raw path.
     */
    public static void refusedBeforeRouting(RoutingContext rc) {
        rc.put(UNROUTED, Boolean.TRUE);
    }

    private void label(RoutingContext rc) {
        if (!(rc.request() instanceof HttpServerRequestInternal request)) {
            return;
        }
        var context = request.context();
        boolean unrouted = Boolean.TRUE.equals(rc.get(UNROUTED));
        if (context == null || (!unrouted && context.getLocal(TEMPLATE) != null)) {
            return; // a resource method matched: its template is the label
        }
        int status = rc.response().getStatusCode();
        boolean unanswered = status >= 400 || request.method() == HttpMethod.OPTIONS;
        // Static files (2xx/3xx, as many labels as files shipped) and the management routes under /q
        // (labelled, or left out, by Quarkus) keep their own labels.
        if (unanswered && !request.path().startsWith(managementPrefix)) {
            context.putLocal(TEMPLATE, LABEL);
        }
    }
}

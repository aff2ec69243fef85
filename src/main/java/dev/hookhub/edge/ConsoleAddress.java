package dev.hookhub.edge;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code /console} (no trailing slash) redirects to {@code /console/}, where the static page is served:
 * the page's modules are linked relative to it, and the static handler only serves the folder's
 * index.html with the slash. Relative Location, so no Host header can send the browser elsewhere.
 */
@ApplicationScoped
public class ConsoleAddress {

    static final String PATH = "/console";

    void register(@Observes Router router) {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
            // Vert.x matches "/console/" on this route too: only the bare path is redirected.
            router.route(method, PATH).handler(rc -> {
                if (!rc.request().path().equals(PATH)) {
                    rc.next();
                    return;
                }
                String query = rc.request().query();
                rc.response().setStatusCode(301)
                        .putHeader(HttpHeaders.LOCATION, PATH + "/" + (query == null ? "" : "?" + query))
                        .end();
            });
        }
    }
}

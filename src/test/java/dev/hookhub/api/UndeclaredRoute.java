package dev.hookhub.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/**
 * A route that forgot its {@link Access} declaration, as a new route might: present only in tests, to show
 * that such a route is refused to everyone and that {@link RouteAccessTest}'s walk finds it.
 */
@Path("/test-only/undeclared")
public class UndeclaredRoute {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> open() {
        return Map.of("secret", "nobody should read this");
    }
}

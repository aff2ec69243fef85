package dev.hookhub.api;

import dev.hookhub.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks every route the application serves, as the OpenAPI document lists them (not a hand-kept list),
 * and calls each without credentials: each answers its documented 401 or 403, except the routes the
 * README documents as public. A route without an {@link Access} declaration is refused to everyone, and
 * this walk fails on it (the test-only {@link UndeclaredRoute} shows both).
 */
@QuarkusTest
class RouteAccessTest {

    /**
     * The public routes (README, "Who may call what"): token issuing takes its credentials in the body; CORS
     * preflight; the issuer's discovery document and public keys.
     */
    private static final Set<String> PUBLIC = Set.of("POST /oauth/token", "POST /{customerId}/login/token",
            "OPTIONS /hooks/{hook_id}", "GET /.well-known/openid-configuration", "GET /.well-known/jwks");
    private static final String UNDECLARED = "GET /test-only/undeclared";
    private static final String NOT_DECLARED = "declares no access rule";

    @Test
    @SuppressWarnings("unchecked")
    void everyRouteRefusesACallerWithoutCredentialsUnlessDocumentedPublic() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> subscription = Api.createSubscription(tenant);
        Map<String, Object> paths = given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath().getMap("paths");
        List<String> failures = new ArrayList<>();
        int walked = 0;
        for (Map.Entry<String, Object> path : paths.entrySet()) {
            for (String method : ((Map<String, Object>) path.getValue()).keySet()) {
                if (!Set.of("get", "post", "put", "patch", "delete", "options").contains(method)) {
                    continue;
                }
                String route = method.toUpperCase(Locale.ROOT) + " " + path.getKey();
                for (String url : urls(path.getKey(), tenant, subscription)) {
                    walked++;
                    Response answer = given().contentType("application/json").body(body(url, subscription))
                            .request(method.toUpperCase(Locale.ROOT), url);
                    int status = answer.statusCode();
                    String text = answer.asString();
                    if (route.equals(UNDECLARED)) {
                        assertEquals(403, status, text);
                        assertTrue(text.contains(NOT_DECLARED), text);
                        continue;
                    }
                    if (text.contains(NOT_DECLARED)) {
                        failures.add(route + " (" + url + ") has no @Access declaration");
                    } else if (status >= 500) {
                        failures.add(route + " (" + url + ") answered " + status + ": " + text);
                    } else if (!PUBLIC.contains(route) && status != 401 && status != 403) {
                        failures.add(route + " (" + url + ") answered " + status + " without credentials: " + text);
                    }
                }
            }
        }
        assertTrue(paths.containsKey("/test-only/undeclared"), "the walk reaches test-only routes too");
        assertTrue(paths.containsKey("/v1/admin/retention/purge"), "the walk reaches the operator's purge (OPERATOR)");
        assertTrue(walked > 25, "walked " + walked + " routes");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void anUndeclaredRouteIsRefusedEvenWithEveryCredential() {
        Api.Tenant tenant = Api.tenant();
        given().header("Authorization", tenant.bearer()).get("/test-only/undeclared").then().statusCode(403);
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).get("/test-only/undeclared").then().statusCode(403);
        assertFalse(given().get("/test-only/undeclared").asString().contains("nobody should read this"));
    }

    /** A path template filled with an existing subscription of the tenant (so nothing is refused as unknown first). */
    private static List<String> urls(String template, Api.Tenant tenant, Map<String, Object> subscription) {
        String filled = template
                .replace("{orgId}", tenant.orgId().toString())
                .replace("{customerId}", tenant.orgId().toString())
                .replace("{subscriptionId}", (String) subscription.get("id"))
                .replace("{id}", (String) subscription.get("id"))
                .replace("{hook_id}", String.valueOf(subscription.get("number")))
                .replace("{client}", tenant.clientId())
                .replace("{keyId}", UUID.randomUUID().toString());
        if (filled.contains("{route}")) {
            // ServiceStack's one template of four alternatives (its custom route and the DTO's predefined ones).
            return List.of("/sync/webhooks/subscriptions/" + subscription.get("id") + "/delete",
                    "/json/reply/DeleteWebhookSubscription", "/x-msgpack/reply/DeleteWebhookSubscription",
                    "/api/DeleteWebhookSubscription");
        }
        assertFalse(filled.contains("{"), "a path parameter this walk cannot fill: " + template);
        return List.of(filled);
    }

    /** Credentials a body can carry are wrong ones: ServiceStack's secret (its 401). */
    private static Map<String, Object> body(String url, Map<String, Object> subscription) {
        return url.contains("DeleteWebhookSubscription") || url.startsWith("/sync/")
                ? Map.of("id", subscription.get("id"), "secret", "whsec_not-the-secret")
                : Map.of();
    }
}

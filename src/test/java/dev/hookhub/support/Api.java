package dev.hookhub.support;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Sets up what a test needs through the public API itself: orgs, clients, tokens, keys, subscriptions. */
public final class Api {

    public static final String ADMIN_TOKEN = "dev-admin-token";

    private Api() {
    }

    /** An org with an Admin client and its bearer token. */
    public record Tenant(UUID orgId, int number, String clientId, String clientSecret, String token) {
        public String bearer() {
            return "Bearer " + token;
        }
    }

    public static Tenant tenant() {
        return tenant(List.of("Admin"));
    }

    public static Tenant tenant(List<String> roles) {
        Map<String, Object> org = given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "org-" + UUID.randomUUID()))
                .post("/v1/admin/orgs").then().statusCode(201).extract().jsonPath().getMap("");
        UUID orgId = UUID.fromString((String) org.get("id"));
        return client(orgId, ((Number) org.get("number")).intValue(), roles);
    }

    /** Another client of the same org, with other roles. */
    public static Tenant client(UUID orgId, int number, List<String> roles) {
        Map<String, Object> client = given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "client", "roles", roles))
                .post("/v1/admin/orgs/" + orgId + "/clients").then().statusCode(201).extract().jsonPath().getMap("");
        String clientId = (String) client.get("clientId");
        String secret = (String) client.get("clientSecret");
        return new Tenant(orgId, number, clientId, secret, token(clientId, secret));
    }

    public static String token(String clientId, String secret) {
        return given().auth().preemptive().basic(clientId, secret)
                .formParam("grant_type", "client_credentials")
                .post("/oauth/token").then().statusCode(200).extract().path("access_token");
    }

    public static String apiKey(UUID orgId) {
        return apiKey(orgId, List.of("Admin"));
    }

    /** An API key of the org with these roles. */
    public static String apiKey(UUID orgId, List<String> roles) {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "key", "roles", roles))
                .post("/v1/admin/orgs/" + orgId + "/api-keys").then().statusCode(201).extract().path("key");
    }

    public static Map<String, Object> subscriptionBody(String name) {
        return Map.of("name", name, "url", "https://receiver.example.com/hooks/" + name,
                "events", List.of("order.created", "order.paid"), "headers", Map.of("X-Team", "billing"));
    }

    /** Creates a subscription and returns the create answer (with id, number and secret). */
    public static Map<String, Object> createSubscription(Tenant tenant) {
        return createSubscription(tenant, subscriptionBody("sub-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    public static Map<String, Object> createSubscription(Tenant tenant, Map<String, ?> body) {
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/subscriptions").then().statusCode(201).extract().jsonPath().getMap("");
    }

    public static Response getSubscription(Tenant tenant, Object id) {
        return given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + id);
    }
}

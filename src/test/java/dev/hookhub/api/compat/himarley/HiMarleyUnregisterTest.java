package dev.hookhub.api.compat.himarley;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hi Marley "Unregister Webhook", walked line by line through
 * the vendor document seeds/himarley-unregister-webhook.txt, and the database after each answer.
 */
@QuarkusTest
class HiMarleyUnregisterTest {

    private static final String SURFACE = "himarley";

    private static String path(Object subscriptionId) {
        return "/webhooks/unregister/" + subscriptionId;
    }

    /** The seed's example: one event type, a posting address, and a header added at registration. */
    private static Map<String, Object> registration(Api.Tenant tenant) {
        return Api.createSubscription(tenant, Map.of("name", "opt-in",
                "url", "https://webhook.example.com/himarley/api/v1/userObject/opt-in",
                "events", List.of("MESSAGE", "CASE_CLOSED"), "headers", Map.of("X-Carrier", "acme", "X-Env", "uat")));
    }

    private static int eventNumber(UUID orgId, String name) {
        return (Integer) Database.query("select number from event_type where org_id = ? and name = ?", orgId, name)
                .get(0).get("number");
    }

    private static String actor(String apiKey) {
        return "api-key:" + apiKey.substring(0, 10);
    }

    @Test
    void unregisterAnswersTheRegistrationInUpperSnakeKeys() {
        Api.Tenant tenant = Api.tenant();
        String key = Api.apiKey(tenant.orgId());
        Object id = registration(tenant).get("id");
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "MESSAGE");

        // "Call the endpoint with your API key and pass the Subscription ID"
        var body = given().header("x-api-key", key).delete(path(id))
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .header("Vary", "Accept")
                .body("SUBSCRIPTION_ID", equalTo(id)) // "The unique UUID assigned to the subscription at registration." string
                .body("EVENT", equalTo("MESSAGE")) // "The Hi Marley Event." enum: the first event type
                .body("ORGANIZATION_ID", equalTo(tenant.orgId().toString())) // "The unique UUID assigned to the Organization"
                .body("REGISTERED_PAYLOAD.EVENT_ID", is(eventNumber(tenant.orgId(), "MESSAGE"))) // "EVENT_ID ... int"
                .body("REGISTERED_PAYLOAD.HTTP_POST_ADDRESS",
                        equalTo("https://webhook.example.com/himarley/api/v1/userObject/opt-in"))
                // "HEADERS: any headers that were added as part of the initial webhook subscription"
                .body("REGISTERED_PAYLOAD.HEADERS", equalTo(Map.of("X-Carrier", "acme", "X-Env", "uat")))
                .extract().jsonPath();
        assertEquals(Set.of("SUBSCRIPTION_ID", "EVENT", "ORGANIZATION_ID", "REGISTERED_PAYLOAD"), body.getMap("").keySet());
        assertEquals(Set.of("EVENT_ID", "HTTP_POST_ADDRESS", "HEADERS"), body.getMap("REGISTERED_PAYLOAD").keySet());
        assertInstanceOf(Integer.class, body.get("REGISTERED_PAYLOAD.EVENT_ID"));

        DeleteEffects.assertDeleted(id, 1, actor(key), SURFACE);
        assertEquals(1, Database.count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                UUID.fromString((String) id)));

        // Unregistered for good: not found by /v1 nor by a second unregister.
        Api.getSubscription(tenant, id).then().statusCode(404);
        given().header("x-api-key", key).delete(path(id))
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString(id.toString()));
    }

    @Test
    void headersAreAnEmptyObjectWhenNoneWereAdded() {
        Api.Tenant tenant = Api.tenant();
        String key = Api.apiKey(tenant.orgId(), List.of("Dispatcher"));
        Object id = Api.createSubscription(tenant, Map.of("name", "bare", "url", "https://webhook.example.com/bare",
                "events", List.of("MESSAGE"))).get("id");
        var body = given().header("x-api-key", key).delete(path(id))
                .then().statusCode(200)
                .body("REGISTERED_PAYLOAD.HEADERS", equalTo(Map.of()))
                .extract().asString();
        assertTrue(body.contains("\"HEADERS\":{}"), body);
        DeleteEffects.assertDeleted(id, 1, actor(key), SURFACE);
    }

    @Test
    void messagePackAnswerHasTheSameKeys() {
        for (String way : List.of("accept", "format", "suffix")) {
            Api.Tenant tenant = Api.tenant();
            String key = Api.apiKey(tenant.orgId());
            Object id = registration(tenant).get("id");
            var request = given().header("x-api-key", key);
            Response response = switch (way) {
                case "accept" -> request.accept("application/vnd.msgpack").delete(path(id));
                case "format" -> request.queryParam("format", "x-msgpack").delete(path(id));
                default -> request.delete(path(id) + ".x-msgpack");
            };
            response.then().statusCode(200).contentType("application/x-msgpack").header("Vary", "Accept");
            Map<String, Object> body = Msgpack.decodeMap(response.asByteArray());
            assertEquals(List.of("SUBSCRIPTION_ID", "EVENT", "ORGANIZATION_ID", "REGISTERED_PAYLOAD"),
                    List.copyOf(body.keySet()), way);
            assertEquals(id, body.get("SUBSCRIPTION_ID"));
            assertEquals("MESSAGE", body.get("EVENT"));
            assertEquals(tenant.orgId().toString(), body.get("ORGANIZATION_ID"));
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) body.get("REGISTERED_PAYLOAD");
            assertEquals(List.of("EVENT_ID", "HTTP_POST_ADDRESS", "HEADERS"), List.copyOf(payload.keySet()));
            assertEquals((long) eventNumber(tenant.orgId(), "MESSAGE"), payload.get("EVENT_ID"), "an integer");
            assertEquals("https://webhook.example.com/himarley/api/v1/userObject/opt-in", payload.get("HTTP_POST_ADDRESS"));
            assertEquals(Map.of("X-Carrier", "acme", "X-Env", "uat"), payload.get("HEADERS"));
            DeleteEffects.assertDeleted(id, 1, actor(key), SURFACE);
        }
    }

    @Test
    void aMissingOrWrongKeyIs401AndAViewerKeyIs403() {
        Api.Tenant tenant = Api.tenant();
        Object id = registration(tenant).get("id");
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "MESSAGE");
        DeleteEffects.State before = DeleteEffects.of(id);

        given().delete(path(id))
                .then().statusCode(401).contentType("application/problem+json").header("Vary", "Accept")
                .body("title", equalTo("Unauthorized")).body("status", is(401)).body("detail", containsString("x-api-key"));
        given().header("x-api-key", "").delete(path(id))
                .then().statusCode(401).body("detail", containsString("x-api-key header is required"));
        given().header("x-api-key", "hhk_not-a-key-of-anyone").delete(path(id))
                .then().statusCode(401).body("detail", containsString("not valid"));
        // A bearer token is not this surface's credential.
        given().header("Authorization", tenant.bearer()).delete(path(id)).then().statusCode(401);
        given().header("x-api-key", Api.apiKey(tenant.orgId(), List.of("Viewer"))).delete(path(id))
                .then().statusCode(403).contentType("application/problem+json")
                .body("title", equalTo("Forbidden")).body("detail", containsString("Admin or Dispatcher"));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void aDispatcherKeyUnregistersAndARevokedKeyStopsAtOnce() {
        // The delete checks the key inside its own statement: the roles that may write, and revocation.
        Api.Tenant tenant = Api.tenant();
        String dispatcher = Api.apiKey(tenant.orgId(), List.of("Dispatcher"));
        Object first = registration(tenant).get("id");
        given().header("x-api-key", dispatcher).delete(path(first)).then().statusCode(200)
                .body("SUBSCRIPTION_ID", equalTo(first));
        DeleteEffects.assertDeleted(first, 1, actor(dispatcher), SURFACE);

        Object second = registration(tenant).get("id");
        DeleteEffects.State before = DeleteEffects.of(second);
        Database.query("update api_key set revoked_at = now() where key_hash = sha256(?::bytea)", dispatcher);
        given().header("x-api-key", dispatcher).delete(path(second))
                .then().statusCode(401).contentType("application/problem+json").body("detail", containsString("not valid"));
        DeleteEffects.assertUnchanged(before, second);
        // The same key with blanks around it is the same key: revoked.
        given().header("x-api-key", " " + dispatcher + " ").delete(path(second)).then().statusCode(401);
        DeleteEffects.assertUnchanged(before, second);
    }

    @Test
    void theIdMustBeAUuidRegisteredToTheKeysOrg() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        String key = Api.apiKey(tenant.orgId());
        Object id = registration(tenant).get("id");
        DeleteEffects.State before = DeleteEffects.of(id);

        given().header("x-api-key", key).delete(path("cbad0db4-c148-4673-8299"))
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", is(400)).body("detail", containsString("'subscriptionId'"))
                .body("detail", containsString("cbad0db4-c148-4673-8299"));
        given().header("x-api-key", key).delete(path(UUID.randomUUID()))
                .then().statusCode(404).body("title", equalTo("Not Found"));
        // "Validation Flow - Subscription ID passed is currently registered to your Org."
        given().header("x-api-key", Api.apiKey(other.orgId())).delete(path(id))
                .then().statusCode(404).body("detail", containsString("not registered to your organization"));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void errorsAnswerInTheNegotiatedFormat() {
        Api.Tenant tenant = Api.tenant();
        String key = Api.apiKey(tenant.orgId());
        Object id = registration(tenant).get("id");
        DeleteEffects.State before = DeleteEffects.of(id);

        Map<String, Object> missingKey = Problems.msgpack(
                given().accept("application/x-msgpack").delete(path(id)), 401, "Unauthorized");
        assertTrue(((String) missingKey.get("detail")).contains("x-api-key"));
        Map<String, Object> badId = Problems.msgpack(
                given().header("x-api-key", key).delete(path("not-a-uuid") + ".x-msgpack"), 400, "Bad Request");
        assertTrue(((String) badId.get("detail")).contains("'subscriptionId'"));
        Problems.msgpack(given().header("x-api-key", key).queryParam("format", "x-msgpack").delete(path(UUID.randomUUID())),
                404, "Not Found");

        given().header("x-api-key", key).queryParam("format", "yaml").delete(path(id))
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("yaml"));
        given().header("x-api-key", key).accept("text/plain").delete(path(id))
                .then().statusCode(406).contentType("application/problem+json");
        DeleteEffects.assertUnchanged(before, id);
    }
}

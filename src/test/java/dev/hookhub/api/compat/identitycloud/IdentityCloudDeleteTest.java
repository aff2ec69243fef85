package dev.hookhub.api.compat.identitycloud;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import dev.hookhub.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identity Cloud (Janrain) "Delete a webhook subscription" and its /{customerId}/login/token, walked
 * line by line through the vendor document seeds/identitycloud-delete-subscription.txt, and the database after.
 */
@QuarkusTest
class IdentityCloudDeleteTest {

    private static final String SURFACE = "identitycloud";

    private static String path(Object customerId, Object subscriptionId) {
        return "/" + customerId + "/webhooks/subscriptions/" + subscriptionId;
    }

    /** "a confidential client (using the client ID as the username and the client secret as the password)" */
    private static String loginToken(Api.Tenant tenant) {
        return given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials")
                .post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(200).extract().path("access_token");
    }

    private static Object subscription(Api.Tenant tenant) {
        return Api.createSubscription(tenant).get("id");
    }

    @Test
    void loginTokenIssuesATokenToAClientOfTheCustomer() {
        Api.Tenant tenant = Api.tenant();
        String login = "/" + tenant.orgId() + "/login/token";
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials")
                .post(login)
                .then().statusCode(200).contentType(ContentType.JSON).header("Vary", "Accept")
                .header("Cache-Control", "no-store")
                .body("access_token", notNullValue())
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", is(3600));
        // Form fields instead of HTTP Basic; a JSON body as /oauth/token takes it.
        given().formParam("grant_type", "client_credentials").formParam("client_id", tenant.clientId())
                .formParam("client_secret", tenant.clientSecret())
                .post(login).then().statusCode(200).body("token_type", equalTo("Bearer"));
        given().contentType(ContentType.JSON).body(Map.of("grant_type", "client_credentials",
                        "client_id", tenant.clientId(), "client_secret", tenant.clientSecret()))
                .post(login).then().statusCode(200).body("token_type", equalTo("Bearer"));
        Response msgpack = given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials").post(login + ".x-msgpack");
        msgpack.then().statusCode(200).contentType("application/x-msgpack");
        assertEquals("Bearer", Msgpack.decodeMap(msgpack.asByteArray()).get("token_type"));
    }

    @Test
    void loginTokenRefusesAClientOfAnotherCustomerAndBadRequests() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        // "the client must belong to customerId"
        given().auth().preemptive().basic(other.clientId(), other.clientSecret())
                .formParam("grant_type", "client_credentials")
                .post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(401).contentType("application/problem+json").body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic(tenant.clientId(), "wrong-secret")
                .formParam("grant_type", "client_credentials")
                .post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "password")
                .post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(400).body("error", equalTo("invalid_request")).body("detail", containsString("grant_type"));
        // A customer id that cannot exist is not found.
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials")
                .post("/not-a-customer/login/token")
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString("not-a-customer"));
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret()).contentType("text/plain").body("x")
                .post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void deleteAnswers204AndDropsTheQueuedEvents() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant, Map.of("name", "janrain", "code", "jr-1",
                "url", "https://receiver.example.com/janrain", "events", List.of("entityUpdated")));
        Object id = created.get("id");
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "entityUpdated");
        String token = loginToken(tenant);

        // The seed's sample request: DELETE with a bearer token and Content-Type: application/json, no body.
        Response response = given().header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .delete(path(tenant.orgId(), id));
        // "204 No Content: you won't get back a full API response"
        response.then().statusCode(204).header("Vary", "Accept").header("Content-Type", nullValue());
        assertEquals(0, response.asByteArray().length, "no body");

        // "any events still in the event store that are associated with the subscription are deleted"
        DeleteEffects.assertDeleted(id, 1, "client:" + tenant.clientId(), SURFACE);
        assertEquals(1, Database.count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                UUID.fromString((String) id)), "delivery history is kept");

        // "organizations no longer receive notifications": gone for every later read and delete.
        Api.getSubscription(tenant, id).then().statusCode(404);
        given().header("Authorization", "Bearer " + token).delete(path(tenant.orgId(), id))
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString(id.toString()));
        // Its code is free again at once.
        Api.createSubscription(tenant, Map.of("name", "janrain", "code", "jr-1",
                "url", "https://receiver.example.com/janrain", "events", List.of("entityUpdated")));
    }

    @Test
    void aDispatcherTokenFromOauthTokenMayDeleteAndMessagePackChangesNothingFor204() {
        Api.Tenant admin = Api.tenant();
        Api.Tenant dispatcher = Api.client(admin.orgId(), admin.number(), List.of("Dispatcher"));
        Object first = subscription(admin);
        Object second = subscription(admin);
        given().header("Authorization", dispatcher.bearer()).accept("application/x-msgpack")
                .delete(path(admin.orgId(), first))
                .then().statusCode(204).header("Vary", "Accept");
        given().header("Authorization", dispatcher.bearer())
                .delete(path(admin.orgId(), second) + ".x-msgpack")
                .then().statusCode(204);
        DeleteEffects.assertDeleted(first, 1, "client:" + dispatcher.clientId(), SURFACE);
        DeleteEffects.assertDeleted(second, 1, "client:" + dispatcher.clientId(), SURFACE);
    }

    @Test
    void everyTokenProblemIs403AndChangesNothing() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        Object id = subscription(tenant);
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "order.created");
        DeleteEffects.State before = DeleteEffects.of(id);
        String path = path(tenant.orgId(), id);

        // "403 Forbidden. You do not have permission to access the requested resource."
        given().delete(path)
                .then().statusCode(403).contentType("application/problem+json").header("Vary", "Accept")
                .body("type", equalTo("about:blank")).body("title", equalTo("Forbidden")).body("status", is(403))
                .body("detail", containsString("bearer token is required"));
        given().header("Authorization", "Bearer Xk7EzdpGq5GPQcsxCWM2SxdlwU_iTsA4i2Px4TEzBrfLIvddjnDVBJxjPDuCARHH")
                .delete(path).then().statusCode(403).body("detail", containsString("invalid or expired"));
        // "You will often see this error if you are using an expired access token."
        given().header("Authorization", "Bearer " + Tokens.expired(tenant))
                .delete(path).then().statusCode(403).body("detail", containsString("invalid or expired"));
        // A token of another customer.
        given().header("Authorization", "Bearer " + loginToken(other))
                .delete(path).then().statusCode(403).body("detail", containsString(tenant.orgId().toString()));
        // A Viewer may not delete.
        given().header("Authorization", viewer.bearer())
                .delete(path).then().statusCode(403).body("detail", containsString("Admin or Dispatcher"));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void unknownOrMalformedCustomerOrSubscriptionIs404AndChangesNothing() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Object id = subscription(tenant);
        Object othersId = subscription(other);
        DeleteEffects.State before = DeleteEffects.of(id);
        DeleteEffects.State othersBefore = DeleteEffects.of(othersId);
        String bearer = "Bearer " + loginToken(tenant);

        // "404 Not found. The specified customer and/or the specific webhooks subscription could not be found."
        given().header("Authorization", bearer).delete(path("9bc867ed-1f10-420f-8d90", id))
                .then().statusCode(404).contentType("application/problem+json")
                .body("title", equalTo("Not Found")).body("detail", containsString("customer"));
        given().header("Authorization", bearer).delete(path(UUID.randomUUID(), id))
                .then().statusCode(404).body("detail", containsString("customer"));
        given().header("Authorization", bearer).delete(path(tenant.orgId(), "454fe969"))
                .then().statusCode(404).body("detail", containsString("454fe969"));
        given().header("Authorization", bearer).delete(path(tenant.orgId(), UUID.randomUUID()))
                .then().statusCode(404).body("detail", containsString("subscription"));
        // Another customer's subscription under one's own customer id.
        given().header("Authorization", bearer).delete(path(tenant.orgId(), othersId)).then().statusCode(404);
        // Without a token only the shape of an id is judged: whether a customer exists is not told (403).
        given().delete(path(UUID.randomUUID(), id)).then().statusCode(403);
        given().delete(path("not-a-customer", id)).then().statusCode(404);
        DeleteEffects.assertUnchanged(before, id);
        DeleteEffects.assertUnchanged(othersBefore, othersId);
    }

    @Test
    void errorsAnswerInTheNegotiatedFormat() {
        Api.Tenant tenant = Api.tenant();
        Object id = subscription(tenant);
        DeleteEffects.State before = DeleteEffects.of(id);

        Map<String, Object> forbidden = Problems.msgpack(
                given().accept("application/x-msgpack").delete(path(tenant.orgId(), id)), 403, "Forbidden");
        assertTrue(((String) forbidden.get("detail")).contains("bearer token"));
        Map<String, Object> malformed = Problems.msgpack(given().header("Authorization", tenant.bearer())
                .delete(path(tenant.orgId(), "nope") + ".x-msgpack"), 404, "Not Found");
        assertTrue(((String) malformed.get("detail")).contains("nope"));
        Problems.msgpack(given().header("Authorization", tenant.bearer()).queryParam("format", "x-msgpack")
                .delete(path(tenant.orgId(), UUID.randomUUID())), 404, "Not Found");
        Problems.msgpack(given().header("Authorization", tenant.bearer()).accept("application/msgpack")
                .delete(path(tenant.orgId(), UUID.randomUUID())), 404, "Not Found");

        given().header("Authorization", tenant.bearer()).queryParam("format", "protobuf").delete(path(tenant.orgId(), id))
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("protobuf"));
        given().header("Authorization", tenant.bearer()).accept("text/xml").delete(path(tenant.orgId(), id))
                .then().statusCode(406).contentType("application/problem+json");
        DeleteEffects.assertUnchanged(before, id);
    }

    /**
     * "the Webhooks v3 APIs all have an API response timeout of 10 seconds": with the subscription's row
     * locked elsewhere, the delete gives up inside the limit with a 503 and leaves everything as it was.
     */
    @Test
    void aDeleteThatCannotFinishInTenSecondsAnswers503AndChangesNothing() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Object id = subscription(tenant);
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "order.created");
        DeleteEffects.State before = DeleteEffects.of(id);

        try (Connection blocker = Database.connect()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement lock = blocker.prepareStatement("select id from subscription where id = ? for update")) {
                lock.setObject(1, UUID.fromString((String) id));
                lock.executeQuery().close();
            }
            long started = System.nanoTime();
            given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), id))
                    .then().statusCode(503).contentType("application/problem+json")
                    .body("title", equalTo("Service Unavailable")).body("status", is(503))
                    .body("detail", containsString("nothing was changed"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "answered within 10 s, took " + took);
            blocker.rollback();
        }
        DeleteEffects.assertUnchanged(before, id);
        // And once nothing holds it, the same delete goes through.
        given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), id)).then().statusCode(204);
        DeleteEffects.assertDeleted(id, 1, "client:" + tenant.clientId(), SURFACE);
    }

    /** The templates start with {customerId}; every other surface's routes must still reach their own resources. */
    @Test
    void theTemplatesShadowNoOtherRoute() {
        Api.Tenant tenant = Api.tenant(); // POST /oauth/token still answers
        Object id = subscription(tenant);
        Api.getSubscription(tenant, id).then().statusCode(200);
        given().delete("/webhooks/unregister/" + id).then().statusCode(401); // Hi Marley: 401, not this surface's 403
        given().delete("/organizations/" + tenant.orgId() + "/integrationdestinations/webhooks/" + id)
                .then().statusCode(401); // m3ter
        // Other surfaces' paths are never answered with this surface's token refusal.
        given().delete("/hooks/" + 1).then().statusCode(not(403));
        given().contentType(ContentType.JSON).body(Map.of()).post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(not(403));
        given().contentType(ContentType.JSON).body(Map.of()).post("/api/DeleteWebhookSubscription").then().statusCode(not(403));
        given().contentType(ContentType.JSON).body(Map.of()).post("/json/reply/DeleteWebhookSubscription")
                .then().statusCode(not(403));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(204);
        DeleteEffects.assertDeleted(id, 1, "client:" + tenant.clientId(), "v1");
    }
}

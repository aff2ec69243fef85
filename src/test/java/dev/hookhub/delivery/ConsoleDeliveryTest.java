package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The /v1 routes the console acts and draws with: "retry now", a test event to one subscription, an
 * event's attempt timeline, the outcome filter, and hourly attempt statistics.
 */
@QuarkusTest
class ConsoleDeliveryTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final Receiver receiver = new Receiver();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void retryNowRequeuesAFailedDeliveryAndItIsAttemptedAgain() {
        Api.Tenant tenant = Api.tenant();
        receiver.always(500);
        String subId = subscribe(tenant, "retry.me");
        String eventId = publish(tenant, "retry.me");
        UUID deliveryId = deliveryOf(eventId);
        // The test retry schedule is two short retries: three attempts, then failed for good.
        await().atMost(DEADLINE).until(() -> "failed".equals(status(deliveryId)));
        assertEquals(3, receiver.count());

        receiver.always(200);
        Instant before = Instant.now().minusSeconds(1);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + deliveryId + "/retry")
                .then().statusCode(200)
                .body("id", equalTo(deliveryId.toString()))
                .body("subscriptionId", equalTo(subId))
                .body("attempts", is(3))
                .body("completedAt", nullValue());
        await().atMost(DEADLINE).until(() -> "succeeded".equals(status(deliveryId)));
        Map<String, Object> row = Database.query("select attempts, due_at from delivery where id = ?", deliveryId).get(0);
        assertEquals(4, row.get("attempts"));
        assertFalse(((Timestamp) row.get("due_at")).toInstant().isBefore(before), "due now, not at a later retry");
        assertEquals(4, receiver.count());

        // Succeeded is final: 409, and nothing changes.
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + deliveryId + "/retry")
                .then().statusCode(409).contentType("application/problem+json").body("status", is(409));
        assertEquals("succeeded", status(deliveryId));

        // The subscription's history, filtered by outcome; the event's timeline, oldest first.
        given().header("Authorization", tenant.bearer()).queryParam("outcome", "failed")
                .get("/v1/subscriptions/" + subId + "/attempts").then().statusCode(200)
                .body("items", hasSize(3)).body("items.statusCode", everyItem(is(500)));
        given().header("Authorization", tenant.bearer()).queryParam("outcome", "succeeded")
                .get("/v1/subscriptions/" + subId + "/attempts").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].statusCode", is(200));
        JsonPath timeline = given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId + "/attempts")
                .then().statusCode(200).body("items", hasSize(4)).body("nextCursor", nullValue()).extract().jsonPath();
        assertEquals(List.of(500, 500, 500, 200), timeline.getList("items.statusCode"));
        given().header("Authorization", tenant.bearer()).queryParam("outcome", "failed")
                .get("/v1/events/" + eventId + "/attempts").then().statusCode(200).body("items", hasSize(3));
    }

    @Test
    void retryIsAWriteOfTheOwnOrgOnly() {
        Api.Tenant tenant = Api.tenant();
        receiver.always(500);
        String subId = subscribe(tenant, "retry.auth");
        UUID deliveryId = deliveryOf(publish(tenant, "retry.auth"));
        await().atMost(DEADLINE).until(() -> "failed".equals(status(deliveryId)));
        String path = "/v1/deliveries/" + deliveryId + "/retry";

        given().post(path).then().statusCode(401).body("status", is(401));
        given().header("Authorization", "Bearer not.a.token").post(path).then().statusCode(401);
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        given().header("Authorization", viewer.bearer()).post(path).then().statusCode(403).body("status", is(403));
        given().header("Authorization", Api.tenant().bearer()).post(path).then().statusCode(404).body("status", is(404));
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + UUID.randomUUID() + "/retry")
                .then().statusCode(404);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/42/retry")
                .then().statusCode(400).body("status", is(400));
        assertEquals("failed", status(deliveryId), "refused retries change nothing");

        // An inactive subscription is not retried (409); a deleted one's delivery is gone (404).
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch("/v1/subscriptions/" + subId).then().statusCode(200);
        given().header("Authorization", tenant.bearer()).post(path).then().statusCode(409);
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + subId).then().statusCode(204);
        given().header("Authorization", tenant.bearer()).post(path).then().statusCode(404);
        assertEquals("failed", status(deliveryId));
    }

    @Test
    void testEventGoesToThatSubscriptionAlone() {
        Api.Tenant tenant = Api.tenant();
        String subId = subscribe(tenant, "order.created");
        String otherId = subscribe(tenant, "order.created");
        JsonPath sent = given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + subId + "/test")
                .then().statusCode(202).body("type", equalTo("order.created")).extract().jsonPath();
        UUID eventId = UUID.fromString(sent.getString("eventId"));
        UUID deliveryId = UUID.fromString(sent.getString("deliveryId"));

        List<Map<String, Object>> deliveries = Database.query("select id, subscription_id from delivery where event_id = ?", eventId);
        assertEquals(1, deliveries.size());
        assertEquals(deliveryId, deliveries.get(0).get("id"));
        assertEquals(UUID.fromString(subId), deliveries.get(0).get("subscription_id"));
        assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ?", UUID.fromString(otherId)));
        await().atMost(DEADLINE).until(() -> "succeeded".equals(status(deliveryId)));
        assertEquals(1, receiver.count());
        assertTrue(new String(receiver.requests().get(0).body()).contains("\"test\":true"));
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId).then().statusCode(200)
                .body("type", equalTo("order.created")).body("payload.subscriptionId", equalTo(subId));

        given().header("Authorization", tenant.bearer()).queryParam("type", "order.paid")
                .post("/v1/subscriptions/" + subId + "/test").then().statusCode(400)
                .body("errors[0].field", equalTo("type"));
        assertEquals(1, Database.count("select count(*) from event where org_id = ?", tenant.orgId()),
                "a refused test stores nothing");
    }

    @Test
    void testEventIsAWriteOfTheOwnOrgOnly() {
        Api.Tenant tenant = Api.tenant();
        String subId = subscribe(tenant, "t.auth");
        String path = "/v1/subscriptions/" + subId + "/test";
        given().post(path).then().statusCode(401);
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        given().header("Authorization", viewer.bearer()).post(path).then().statusCode(403);
        given().header("Authorization", Api.tenant().bearer()).post(path).then().statusCode(404);
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/nope/test").then().statusCode(400);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch("/v1/subscriptions/" + subId).then().statusCode(200);
        given().header("Authorization", tenant.bearer()).post(path).then().statusCode(409);
        assertEquals(0, Database.count("select count(*) from event where org_id = ?", tenant.orgId()),
                "refused tests store nothing");
    }

    @Test
    void eventTimelineIsOwnOrgOnlyAndValidatesItsFilter() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "tl.one");
        String eventId = publish(tenant, "tl.one");
        given().get("/v1/events/" + eventId + "/attempts").then().statusCode(401);
        given().header("Authorization", Api.tenant().bearer()).get("/v1/events/" + eventId + "/attempts")
                .then().statusCode(404);
        given().header("Authorization", tenant.bearer()).get("/v1/events/x/attempts").then().statusCode(400);
        given().header("Authorization", tenant.bearer()).queryParam("outcome", "maybe")
                .get("/v1/events/" + eventId + "/attempts").then().statusCode(400).body("status", is(400));
        given().header("Authorization", tenant.bearer()).queryParam("outcome", "maybe")
                .get("/v1/subscriptions/" + UUID.randomUUID() + "/attempts").then().statusCode(400);
    }

    @Test
    void hourlyStatsCountTheOrgsAndOneSubscriptionsAttempts() {
        Api.Tenant tenant = Api.tenant();
        receiver.answering(n -> Receiver.Answer.of(n == 1 ? 200 : 503));
        String good = subscribe(tenant, "st.good");
        String bad = subscribe(tenant, "st.bad");
        UUID okDelivery = deliveryOf(publish(tenant, "st.good"));
        await().atMost(DEADLINE).until(() -> "succeeded".equals(status(okDelivery)));
        UUID badDelivery = deliveryOf(publish(tenant, "st.bad"));
        await().atMost(DEADLINE).until(() -> "failed".equals(status(badDelivery)));

        JsonPath org = given().header("Authorization", tenant.bearer()).get("/v1/stats/attempts").then().statusCode(200)
                .body("hours", is(24)).body("subscriptionId", nullValue()).body("buckets", hasSize(24))
                .body("attempts", is(4)).body("succeeded", is(1)).body("failed", is(3))
                .body("successRate", is(0.25f)).extract().jsonPath();
        Instant currentHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        assertEquals(currentHour.toString(), Instant.parse(org.getString("buckets[23].start")).toString());
        assertEquals(currentHour.minus(23, ChronoUnit.HOURS), Instant.parse(org.getString("from")));
        assertEquals(4, org.getInt("buckets[23].attempts") + org.getInt("buckets[22].attempts"));
        assertEquals(Database.count("select count(*) from delivery_attempt where org_id = ?", tenant.orgId()), 4);

        given().header("Authorization", tenant.bearer()).queryParam("subscriptionId", good).queryParam("hours", 3)
                .get("/v1/stats/attempts").then().statusCode(200)
                .body("subscriptionId", equalTo(good)).body("buckets", hasSize(3))
                .body("attempts", is(1)).body("successRate", is(1.0f));
        given().header("Authorization", tenant.bearer()).queryParam("subscriptionId", bad)
                .get("/v1/stats/attempts").then().statusCode(200).body("attempts", is(3)).body("successRate", is(0.0f))
                .body("buckets[0].successRate", nullValue()).body("buckets[0].avgDurationMs", nullValue());

        for (String hours : List.of("0", "169", "x", "-1")) {
            given().header("Authorization", tenant.bearer()).queryParam("hours", hours).get("/v1/stats/attempts")
                    .then().statusCode(400).body("status", is(400));
        }
        given().header("Authorization", tenant.bearer()).queryParam("subscriptionId", "x").get("/v1/stats/attempts")
                .then().statusCode(400);
        given().header("Authorization", Api.tenant().bearer()).queryParam("subscriptionId", good)
                .get("/v1/stats/attempts").then().statusCode(404);
        given().get("/v1/stats/attempts").then().statusCode(401);
        given().header("Authorization", Api.tenant().bearer()).get("/v1/stats/attempts").then().statusCode(200)
                .body("attempts", is(0)).body("successRate", nullValue());
    }

    private String subscribe(Api.Tenant tenant, String event) {
        return (String) Api.createSubscription(tenant, Map.of("name", "c-" + UUID.randomUUID().toString().substring(0, 8),
                "url", receiver.url("/hook"), "events", List.of(event))).get("id");
    }

    private static String publish(Api.Tenant tenant, String type) {
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", Map.of("n", 1))).post("/v1/events").then().statusCode(202)
                .extract().path("id");
    }

    private static UUID deliveryOf(String eventId) {
        return (UUID) Database.query("select id from delivery where event_id = ?", UUID.fromString(eventId)).get(0).get("id");
    }

    private static String status(UUID deliveryId) {
        return (String) Database.query("select status from delivery where id = ?", deliveryId).get(0).get("status");
    }
}

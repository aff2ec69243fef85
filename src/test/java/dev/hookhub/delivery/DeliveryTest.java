package dev.hookhub.delivery;

import com.standardwebhooks.Webhook;
import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deliveries end to end: publish over /v1, a real receiving endpoint on loopback, the history after. */
@QuarkusTest
class DeliveryTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final Receiver receiver = new Receiver();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void jsonDeliveryIsSignedCarriesHeadersAndIsRecorded() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("order.created"));
        Map<String, Object> payload = Map.of("orderId", 42, "items", List.of("a", "b"), "paid", true);

        JsonPath accepted = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "order.created", "payload", payload))
                .post("/v1/events").then().statusCode(202)
                .body("id", matchesPattern("[0-9a-f-]{36}"))
                .body("deliveries", is(1))
                .body("duplicate", is(false))
                .extract().jsonPath();
        String eventId = accepted.getString("id");

        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        Receiver.Received request = receiver.requests().get(0);
        assertEquals("/hook", request.path());
        assertEquals("application/json", request.header("content-type"));
        assertEquals("billing", request.header("x-team"), "the subscription's custom header arrives");
        assertEquals("order.created", request.header("hookhub-event-type"));
        assertEquals(payload, new io.restassured.path.json.JsonPath(new String(request.body(), StandardCharsets.UTF_8))
                .getMap(""));
        new Webhook((String) sub.get("secret")).verify(new String(request.body(), StandardCharsets.UTF_8),
                headers(request));
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertTrue(Math.abs(Instant.now().getEpochSecond() - timestamp) < 60);

        await().atMost(DEADLINE).until(() -> "succeeded".equals(event(tenant, eventId).getString("deliveries[0].status")));
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId).then().statusCode(200)
                .body("id", equalTo(eventId))
                .body("type", equalTo("order.created"))
                .body("payload.orderId", is(42))
                .body("payload.items", equalTo(List.of("a", "b")))
                .body("idempotencyKey", nullValue())
                .body("createdAt", matchesPattern(ISO_UTC))
                .body("deliveries", hasSize(1))
                .body("deliveries[0].subscriptionId", equalTo(sub.get("id")))
                .body("deliveries[0].attempts", is(1))
                .body("deliveries[0].completedAt", matchesPattern(ISO_UTC));

        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts")
                .then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].statusCode", is(200))
                .body("items[0].statusDescription", matchesPattern("200.*"))
                .body("items[0].eventId", equalTo(eventId))
                .body("items[0].subscriptionId", equalTo(sub.get("id")))
                .body("items[0].attemptedAt", matchesPattern(ISO_UTC))
                .body("items[0].durationMs", notNullValue())
                .body("nextCursor", nullValue());
        Api.getSubscription(tenant, sub.get("id")).then().statusCode(200)
                .body("lastHttpSuccess", matchesPattern(ISO_UTC))
                .body("lastHttpFail", nullValue());
        assertEquals("msg_" + Database.query("select id from delivery where event_id = ?", UUID.fromString(eventId))
                .get(0).get("id"), request.header("webhook-id"));
    }

    @Test
    void messagePackDeliveryDecodesToThePayloadAndVerifies() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/x-msgpack", List.of("order.paid"));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("amount", 1999L);
        payload.put("currency", "EUR");
        payload.put("ratio", 0.25);
        payload.put("tags", List.of("x", "y"));
        payload.put("nested", Map.of("ok", true));
        byte[] body = Msgpack.encode(Map.of("type", "order.paid", "payload", payload));

        given().header("Authorization", tenant.bearer()).contentType("application/x-msgpack").body(body)
                .post("/v1/events").then().statusCode(202);

        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        Receiver.Received request = receiver.requests().get(0);
        assertEquals("application/x-msgpack", request.header("content-type"));
        assertEquals(payload, Msgpack.decodeMap(request.body()));
        // The library verifies text bodies; a binary body is checked with the same HMAC by hand.
        String expected = "v1," + hmac((String) sub.get("secret"), request.header("webhook-id") + "."
                + request.header("webhook-timestamp") + ".", request.body());
        assertEquals(expected, request.header("webhook-signature"));
    }

    @Test
    void jsonEventToMessagePackSubscriptionIsReEncoded() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "application/x-msgpack", List.of("t.json"));
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body("{\"type\":\"t.json\",\"payload\":{\"n\":1,\"s\":\"é\",\"l\":[null,false,2.5]}}")
                .post("/v1/events").then().statusCode(202);
        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        Map<String, Object> expected = new HashMap<>();
        expected.put("n", 1L);
        expected.put("s", "é");
        expected.put("l", java.util.Arrays.asList(null, false, 2.5));
        assertEquals(expected, Msgpack.decodeMap(receiver.requests().get(0).body()));
    }

    @Test
    void duringRotationBothSecretsVerify() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("rot.ate"));
        String oldSecret = (String) sub.get("secret");
        String newSecret = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body("{}")
                .post("/v1/subscriptions/" + sub.get("id") + "/secret/rotate").then().statusCode(200)
                .extract().path("secret");

        publish(tenant, "rot.ate", Map.of("v", 1)).then().statusCode(202);
        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        Receiver.Received request = receiver.requests().get(0);
        String text = new String(request.body(), StandardCharsets.UTF_8);
        assertEquals(2, request.header("webhook-signature").split(" ").length);
        new Webhook(oldSecret).verify(text, headers(request));
        new Webhook(newSecret).verify(text, headers(request));
    }

    @Test
    void failuresAreRetriedOnScheduleThenTheDeliveryFails() {
        receiver.always(500);
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("re.try"));
        String eventId = publish(tenant, "re.try", Map.of()).then().statusCode(202).extract().path("id");

        // The test schedule is PT0.2S,PT0.4S: three attempts, then failed.
        await().atMost(DEADLINE).until(() -> "failed".equals(event(tenant, eventId).getString("deliveries[0].status")));
        assertEquals(3, receiver.count());
        String webhookId = receiver.requests().get(0).header("webhook-id");
        receiver.requests().forEach(r -> assertEquals(webhookId, r.header("webhook-id"), "retries keep the webhook-id"));
        event(tenant, eventId).getInt("deliveries[0].attempts");
        assertEquals(3, event(tenant, eventId).getInt("deliveries[0].attempts"));
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts")
                .then().statusCode(200)
                .body("items", hasSize(3))
                .body("items.statusCode", equalTo(List.of(500, 500, 500)));
        Api.getSubscription(tenant, sub.get("id")).then().statusCode(200)
                .body("lastHttpFail", matchesPattern(ISO_UTC))
                .body("lastHttpSuccess", nullValue())
                .body("active", is(true));
        assertNotNull(Database.query("select failing_since from subscription where id = ?",
                UUID.fromString((String) sub.get("id"))).get(0).get("failing_since"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.count() == 3);
    }

    @Test
    void redirectIsAFailureAndNotFollowed() {
        receiver.answering(n -> new Receiver.Answer(302, Map.of("Location", "http://127.0.0.1:1/elsewhere")));
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("re.direct"));
        String eventId = publish(tenant, "re.direct", 1).then().statusCode(202).extract().path("id");
        await().atMost(DEADLINE).until(() -> "failed".equals(event(tenant, eventId).getString("deliveries[0].status")));
        assertTrue(receiver.requests().stream().allMatch(r -> r.path().equals("/hook")));
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts")
                .then().body("items.statusCode", equalTo(List.of(302, 302, 302)));
    }

    @Test
    void goneDeactivatesTheSubscriptionAndCancelsItsQueue() {
        receiver.always(410);
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("g.one"));
        UUID subscriptionId = UUID.fromString((String) sub.get("id"));
        // A delivery of an earlier event waiting for its retry, not yet due.
        UUID later = insertDelivery(tenant, subscriptionId, "'queued', 0, null, now() + interval '1 hour'");
        String eventId = publish(tenant, "g.one", Map.of("a", 1)).then().statusCode(202).extract().path("id");

        await().atMost(DEADLINE).until(() -> "failed".equals(event(tenant, eventId).getString("deliveries[0].status")));
        assertEquals(1, receiver.count(), "410 is not retried");
        Api.getSubscription(tenant, subscriptionId).then().statusCode(200).body("active", is(false))
                .body("lastHttpFail", matchesPattern(ISO_UTC));
        assertEquals("cancelled", Database.query("select status from delivery where id = ?", later).get(0).get("status"));
        // An inactive subscription gets no new deliveries.
        publish(tenant, "g.one", Map.of()).then().statusCode(202).body("deliveries", is(0));
    }

    @Test
    void reactivatingClearsTheFailingRunSoOneMoreFailureDoesNotDeactivateAgain() {
        receiver.always(500);
        Api.Tenant tenant = Api.tenant();
        UUID id = UUID.fromString((String) subscribe(tenant, "application/json", List.of("re.on")).get("id"));
        // As the five-day rule leaves a subscription: failing for six days, deactivated.
        Database.query("update subscription set active = false, failing_since = now() - interval '6 days' where id = ?", id);

        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("active", true))
                .patch("/v1/subscriptions/" + id).then().statusCode(200).body("active", is(true)).body("version", is(2));
        assertNull(Database.subscriptionTime(id, "failing_since"), "re-activating ends the old failing run");

        String eventId = publish(tenant, "re.on", Map.of("a", 1)).then().statusCode(202).body("deliveries", is(1))
                .extract().path("id");
        await().atMost(DEADLINE).until(() -> "failed".equals(event(tenant, eventId).getString("deliveries[0].status")));
        assertEquals(3, receiver.count(), "the whole (test) retry schedule ran: the subscription stayed active");
        Api.getSubscription(tenant, id).then().statusCode(200).body("active", is(true));
        Instant since = Database.subscriptionTime(id, "failing_since");
        assertNotNull(since, "a new run began with the first failure");
        assertTrue(since.isAfter(Instant.now().minus(Duration.ofMinutes(1))), since.toString());

        // Only a change from inactive to active ends the run: PATCHing an active subscription keeps it.
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("active", true))
                .patch("/v1/subscriptions/" + id).then().statusCode(200).body("version", is(3));
        assertEquals(since, Database.subscriptionTime(id, "failing_since"));
    }

    @Test
    void retryAfterDelaysTheNextAttempt() {
        receiver.answering(n -> n == 1 ? new Receiver.Answer(429, Map.of("Retry-After", "2")) : Receiver.Answer.of(204));
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "application/json", List.of("slow.down"));
        String eventId = publish(tenant, "slow.down", Map.of()).then().statusCode(202).extract().path("id");

        await().atMost(DEADLINE).until(() -> "succeeded".equals(event(tenant, eventId).getString("deliveries[0].status")));
        List<Receiver.Received> requests = receiver.requests();
        assertEquals(2, requests.size());
        long gap = Duration.between(requests.get(0).at(), requests.get(1).at()).toMillis();
        assertTrue(gap >= 1900, "the second attempt waited for Retry-After (2 s), not the 0.2 s schedule: " + gap + " ms");
    }

    @Test
    void deletingDuringASlowAttemptLetsItFinishButStartsNoOther() {
        receiver.answering(n -> Receiver.Answer.of(500)).holding();
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("del.ete"));
        String id = (String) sub.get("id");
        publish(tenant, "del.ete", Map.of("n", 1)).then().statusCode(202);
        publish(tenant, "del.ete", Map.of("n", 2)).then().statusCode(202);
        await().atMost(DEADLINE).until(() -> receiver.count() >= 1);

        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(204);
        assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ?::uuid"
                + " and status in ('queued', 'in_flight')", id));
        int startedBeforeDelete = receiver.count();
        receiver.release();

        // The attempts in flight finish and are recorded, though their delivery rows are gone...
        await().atMost(DEADLINE).until(() ->
                Database.count("select count(*) from delivery_attempt where subscription_id = ?::uuid", id)
                        == startedBeforeDelete);
        assertEquals(500, Database.query("select status_code from delivery_attempt where subscription_id = ?::uuid", id)
                .get(0).get("status_code"));
        // ...and no retry (due 0.2 s later) or other delivery starts.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> receiver.count() == startedBeforeDelete);
    }

    @Test
    void aDeliveryWhoseLeaseRanOutIsClaimedAgain() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("cr.ash"));
        // What a worker that crashed mid-attempt leaves behind: in flight, lease expired, one attempt counted.
        UUID deliveryId = insertDelivery(tenant, UUID.fromString((String) sub.get("id")),
                "'in_flight', 1, now() - interval '1 second', now()");
        UUID eventId = (UUID) Database.query("select event_id from delivery where id = ?", deliveryId).get(0).get("event_id");

        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        assertEquals("msg_" + deliveryId, receiver.requests().get(0).header("webhook-id"));
        await().atMost(DEADLINE).until(() -> "succeeded".equals(event(tenant, eventId.toString())
                .getString("deliveries[0].status")));
        assertEquals(2, event(tenant, eventId.toString()).getInt("deliveries[0].attempts"));
    }

    @Test
    void atMostFourAttemptsOfOneSubscriptionAreInFlight() {
        receiver.holding();
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "application/json", List.of("bu.sy"));
        for (int i = 0; i < 6; i++) {
            publish(tenant, "bu.sy", Map.of("i", i)).then().statusCode(202);
        }
        await().atMost(DEADLINE).until(() -> receiver.count() == 4);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> receiver.count() == 4);
        assertEquals(4, Database.count("select count(*) from delivery where org_id = ? and status = 'in_flight'",
                tenant.orgId()));
        receiver.release();
        await().atMost(DEADLINE).until(() -> Database.count(
                "select count(*) from delivery where org_id = ? and status = 'succeeded'", tenant.orgId()) == 6);
        assertEquals(6, receiver.count());
    }

    @Test
    void anIdempotencyKeyReturnsTheFirstEventAndEnqueuesNothing() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "application/json", List.of("once"));
        Map<String, Object> body = Map.of("type", "once", "payload", Map.of("a", 1), "idempotencyKey", "key-1");
        String first = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/events").then().statusCode(202).body("duplicate", is(false)).body("deliveries", is(1))
                .extract().path("id");
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/events").then().statusCode(202)
                .body("id", equalTo(first)).body("duplicate", is(true)).body("deliveries", is(1));
        assertEquals(1, Database.count("select count(*) from event where org_id = ?", tenant.orgId()));
        assertEquals(1, Database.count("select count(*) from delivery where org_id = ?", tenant.orgId()));
        await().atMost(DEADLINE).until(() -> receiver.count() == 1);

        // The same key in another org is another event.
        Api.Tenant other = Api.tenant();
        given().header("Authorization", other.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/events").then().statusCode(202).body("id", org.hamcrest.Matchers.not(equalTo(first)));
        // A key older than 24 h is free again.
        Database.query("update event set created_at = now() - interval '25 hours' where id = ?::uuid", first);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/events").then().statusCode(202)
                .body("id", org.hamcrest.Matchers.not(equalTo(first))).body("duplicate", is(false));
    }

    @Test
    void fanOutReachesOnlyActiveLiveSubscriptionsOfTheTypeInTheOrg() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> match = subscribe(tenant, "application/json", List.of("x.y", "other"));
        subscribe(tenant, "application/json", List.of("not.this"));
        Map<String, Object> inactive = Api.createSubscription(tenant, Map.of("name", "off", "url", receiver.url("/off"),
                "events", List.of("x.y"), "active", false));
        Map<String, Object> deleted = subscribe(tenant, "application/json", List.of("x.y"));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + deleted.get("id"))
                .then().statusCode(204);
        Api.Tenant other = Api.tenant();
        Api.createSubscription(other, Map.of("name", "theirs", "url", receiver.url("/theirs"), "events", List.of("x.y")));

        String eventId = publish(tenant, "x.y", "just a string").then().statusCode(202).body("deliveries", is(1))
                .extract().path("id");
        event(tenant, eventId);
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId).then().statusCode(200)
                .body("payload", equalTo("just a string"))
                .body("deliveries.subscriptionId", equalTo(List.of(match.get("id"))));
        assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ?::uuid",
                (String) inactive.get("id")));
    }

    @Test
    void anUnknownEventTypeIsRegisteredWithItsNumber() {
        Api.Tenant tenant = Api.tenant();
        publish(tenant, "brand.new", List.of(1, 2)).then().statusCode(202).body("deliveries", is(0));
        List<Map<String, Object>> rows = Database.query("select number from event_type where org_id = ? and name = 'brand.new'",
                tenant.orgId());
        assertEquals(1, rows.size());
        assertTrue(((Number) rows.get(0).get("number")).intValue() > 0);
    }

    @Test
    void badEventInputIsA4xxAndLeavesNothing() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "application/json", List.of("ok"));
        String bearer = tenant.bearer();
        given().header("Authorization", bearer).contentType(ContentType.JSON).body(Map.of("payload", Map.of()))
                .post("/v1/events").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("type"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body(Map.of("type", "ok"))
                .post("/v1/events").then().statusCode(400).body("errors[0].field", equalTo("payload"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body(Map.of("type", "bad type!", "payload", 1))
                .post("/v1/events").then().statusCode(400).body("errors[0].field", equalTo("type"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body(Map.of("type", 7, "payload", 1))
                .post("/v1/events").then().statusCode(400);
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"type\":\"ok\",\"payload\":{")
                .post("/v1/events").then().statusCode(400);
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("")
                .post("/v1/events").then().statusCode(400);
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body(Map.of("type", "ok", "payload", 1, "idempotencyKey", "k".repeat(201)))
                .post("/v1/events").then().statusCode(400).body("errors[0].field", equalTo("idempotencyKey"));
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body(Map.of("type", "ok", "payload", "x".repeat(1024 * 1024 + 10)))
                .post("/v1/events").then().statusCode(413);
        given().header("Authorization", bearer).contentType(ContentType.TEXT).body("type=ok")
                .post("/v1/events").then().statusCode(415);
        given().contentType(ContentType.JSON).body(Map.of("type", "ok", "payload", 1))
                .post("/v1/events").then().statusCode(401);
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        given().header("Authorization", viewer.bearer()).contentType(ContentType.JSON).body(Map.of("type", "ok", "payload", 1))
                .post("/v1/events").then().statusCode(403);

        assertEquals(0, Database.count("select count(*) from event where org_id = ?", tenant.orgId()));
        assertEquals(0, Database.count("select count(*) from delivery where org_id = ?", tenant.orgId()));
    }

    @Test
    void readsAreScopedToTheOrgAndOpenToViewers() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, "application/json", List.of("r.ead"));
        String eventId = publish(tenant, "r.ead", Map.of()).then().statusCode(202).extract().path("id");
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        given().header("Authorization", viewer.bearer()).get("/v1/events/" + eventId).then().statusCode(200);
        given().header("Authorization", viewer.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts")
                .then().statusCode(200);

        Api.Tenant other = Api.tenant();
        given().header("Authorization", other.bearer()).get("/v1/events/" + eventId).then().statusCode(404)
                .contentType("application/problem+json");
        given().header("Authorization", other.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts")
                .then().statusCode(404);
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + UUID.randomUUID()).then().statusCode(404);
        given().header("Authorization", tenant.bearer()).get("/v1/events/not-a-uuid").then().statusCode(400);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts?cursor=zzz")
                .then().statusCode(400);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts?limit=0")
                .then().statusCode(400);
        given().header("Authorization", tenant.bearer()).accept("application/x-msgpack").get("/v1/events/" + eventId)
                .then().statusCode(200).contentType("application/x-msgpack");
    }

    @Test
    void attemptsArePagedNewestFirst() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = Api.createSubscription(tenant);
        UUID subscriptionId = UUID.fromString((String) sub.get("id"));
        Instant base = Instant.parse("2030-01-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            Database.query("insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,"
                    + " status_code, status_description, duration_ms) values (?, null, ?, ?, ?, ?::timestamptz, ?, ?, ?)",
                    UUID.randomUUID(), subscriptionId, UUID.randomUUID(), tenant.orgId(), base.plusSeconds(i).toString(),
                    500 + i, "attempt " + i, 10 + i);
        }
        JsonPath first = given().header("Authorization", tenant.bearer())
                .get("/v1/subscriptions/" + subscriptionId + "/attempts?limit=2").then().statusCode(200)
                .body("items.statusDescription", equalTo(List.of("attempt 4", "attempt 3")))
                .body("items[0].durationMs", is(14))
                .body("nextCursor", notNullValue()).extract().jsonPath();
        JsonPath second = given().header("Authorization", tenant.bearer()).queryParam("limit", 2)
                .queryParam("cursor", first.getString("nextCursor"))
                .get("/v1/subscriptions/" + subscriptionId + "/attempts").then().statusCode(200)
                .body("items.statusDescription", equalTo(List.of("attempt 2", "attempt 1"))).extract().jsonPath();
        given().header("Authorization", tenant.bearer()).queryParam("limit", 2)
                .queryParam("cursor", second.getString("nextCursor"))
                .get("/v1/subscriptions/" + subscriptionId + "/attempts").then().statusCode(200)
                .body("items.statusDescription", equalTo(List.of("attempt 0")))
                .body("items[0].deliveryId", nullValue())
                .body("nextCursor", nullValue());
    }

    @Test
    void metricsCountAttempts() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, "application/json", List.of("m.etric"));
        publish(tenant, "m.etric", Map.of()).then().statusCode(202);
        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        await().atMost(DEADLINE).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("hookhub_deliveries_attempted_total"))
                .body(org.hamcrest.Matchers.containsString("hookhub_deliveries_succeeded_total"))
                .body(org.hamcrest.Matchers.containsString("hookhub_delivery_attempt_duration_seconds_bucket"))
                .body(org.hamcrest.Matchers.containsString("hookhub_delivery_queue_depth"))
                .body(org.hamcrest.Matchers.containsString("hookhub_delivery_queue_oldest_due_age_seconds"))
                .body(org.hamcrest.Matchers.containsString("hookhub_delivery_in_flight"))
                .body(org.hamcrest.Matchers.containsString("hookhub_deliveries_throttled_total")));
    }

    /** An event ({@code {}}) and its delivery, as the worker would find them; state = status, attempts, locked_until, due_at. */
    private static UUID insertDelivery(Api.Tenant tenant, UUID subscriptionId, String state) {
        UUID eventId = UUID.randomUUID();
        UUID deliveryId = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format) values (?, ?, 'x', '\\x7b7d'::bytea, 'json')",
                eventId, tenant.orgId());
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, attempts, locked_until, due_at)"
                + " values (?, ?, ?, ?, " + state + ")", deliveryId, eventId, subscriptionId, tenant.orgId());
        return deliveryId;
    }

    private Map<String, Object> subscribe(Api.Tenant tenant, String contentType, List<String> events) {
        return Api.createSubscription(tenant, Map.of("name", "rx-" + UUID.randomUUID().toString().substring(0, 8),
                "url", receiver.url("/hook"), "events", events, "contentType", contentType,
                "headers", Map.of("X-Team", "billing")));
    }

    private static io.restassured.response.Response publish(Api.Tenant tenant, String type, Object payload) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("payload", payload);
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body).post("/v1/events");
    }

    private static JsonPath event(Api.Tenant tenant, String eventId) {
        return given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId)
                .then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, List<String>> headers(Receiver.Received request) {
        return Map.of("webhook-id", List.of(request.header("webhook-id")),
                "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                "webhook-signature", List.of(request.header("webhook-signature")));
    }

    private static String hmac(String secret, String prefix, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        mac.update(prefix.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }
}

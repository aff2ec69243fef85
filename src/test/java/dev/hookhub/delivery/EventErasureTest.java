package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DELETE /v1/events/{id}: the payload is gone, undelivered deliveries are cancelled (a queued retry and an
 * attempt under way alike), nothing more reaches a receiver, the attempts stay and say the event was erased,
 * and an audit record is written. Refusals in the route's format, with nothing changed.
 */
@QuarkusTest
class EventErasureTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The retrying receiver's Retry-After: the queued retry would be due this long after the first attempt. */
    private static final int RETRY_AFTER_SECONDS = 3;

    private final Receiver retrying = new Receiver();
    private final Receiver holding = new Receiver();

    @AfterEach
    void stopReceivers() {
        retrying.close();
        holding.close();
    }

    @Test
    void erasingCancelsQueuedAndInFlightDeliveriesKeepsAttemptsAndIsAudited() {
        Api.Tenant tenant = Api.tenant();
        // One receiver answers 503 with Retry-After, so its delivery waits queued for a retry; the other holds
        // its request open, so its delivery is in flight when the event is erased.
        retrying.answering(n -> new Receiver.Answer(503, Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS))));
        holding.holding();
        String queuedSub = subscribe(tenant, retrying.url("/hook"), "erase.me");
        String inFlightSub = subscribe(tenant, holding.url("/hook"), "erase.me");
        String eventId = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "erase.me", "payload", Map.of("email", "someone@example.com")))
                .post("/v1/events").then().statusCode(202).body("deliveries", is(2)).extract().path("id");
        UUID queued = delivery(eventId, queuedSub);
        UUID inFlight = delivery(eventId, inFlightSub);
        await().atMost(DEADLINE).until(() -> "queued".equals(status(queued)) && attempts(queued) == 1
                && holding.count() == 1 && "in_flight".equals(status(inFlight)));
        Instant before = Instant.now().minusSeconds(1);

        JsonPath erased = given().header("Authorization", tenant.bearer()).delete("/v1/events/" + eventId)
                .then().statusCode(200).contentType("application/json")
                .body("id", equalTo(eventId))
                .body("erasedAt", matchesPattern(ISO_UTC))
                .body("cancelledDeliveries", is(2))
                .extract().jsonPath();
        assertEquals(3, erased.getMap("").size(), "id, erasedAt, cancelledDeliveries: " + erased.prettify());

        // The database: the payload is gone, the row (type, time) stays; both deliveries cancelled.
        Map<String, Object> row = Database.query("select type, payload, erased_at, created_at from event where id = ?",
                UUID.fromString(eventId)).get(0);
        assertNull(row.get("payload"), "the payload column is null");
        assertEquals("erase.me", row.get("type"));
        assertNotNull(row.get("created_at"));
        Instant erasedAt = ((Timestamp) row.get("erased_at")).toInstant();
        assertEquals(Instant.parse(erased.getString("erasedAt")), erasedAt, "the answer's erasedAt is the stored one");
        assertTrue(!erasedAt.isBefore(before), "erased now");
        for (UUID d : List.of(queued, inFlight)) {
            Map<String, Object> delivery = Database.query("select status, completed_at, locked_until from delivery where id = ?", d)
                    .get(0);
            assertEquals("cancelled", delivery.get("status"), d.toString());
            assertNotNull(delivery.get("completed_at"), "cancelled is final: completed_at set");
            assertNull(delivery.get("locked_until"));
        }

        // The attempt under way finishes and is recorded, and does not bring its delivery back.
        holding.release();
        await().atMost(DEADLINE).until(() -> Database.count("select count(*) from delivery_attempt where delivery_id = ?",
                inFlight) == 1);
        assertEquals("cancelled", status(inFlight));
        // No retry reaches the receiver, well past the time the retry would have been due.
        await().during(Duration.ofSeconds(RETRY_AFTER_SECONDS + 1)).atMost(Duration.ofSeconds(RETRY_AFTER_SECONDS + 5))
                .until(() -> retrying.count() == 1 && holding.count() == 1);
        assertEquals("cancelled", status(queued));
        assertEquals(1, attempts(queued));

        // Reads: the event is gone; its attempts stay, marked.
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId)
                .then().statusCode(404).contentType("application/problem+json").body("status", is(404));
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId + "/attempts")
                .then().statusCode(200)
                .body("items", hasSize(2))
                .body("items.eventId", everyItem(equalTo(eventId)))
                .body("items.eventErased", everyItem(is(true)));
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + queuedSub + "/attempts")
                .then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].eventId", equalTo(eventId))
                .body("items[0].statusCode", is(503))
                .body("items[0].eventErased", is(true));
        Map<String, Object> msgpack = Msgpack.decodeMap(given().header("Authorization", tenant.bearer())
                .accept("application/x-msgpack").get("/v1/subscriptions/" + inFlightSub + "/attempts")
                .then().statusCode(200).extract().asByteArray());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) msgpack.get("items");
        assertEquals(1, items.size());
        assertEquals(true, items.get(0).get("eventErased"), "a MessagePack boolean");

        // The audit record: who, through which surface, from where, which event.
        List<Map<String, Object>> audits = Database.query("select * from audit where org_id = ? and action = 'event.erase'",
                tenant.orgId());
        assertEquals(1, audits.size());
        Map<String, Object> audit = audits.get(0);
        assertEquals("client:" + tenant.clientId(), audit.get("actor"));
        assertEquals("v1", audit.get("surface"));
        assertEquals("127.0.0.1", audit.get("remote_address"));
        assertEquals(eventId, audit.get("target"));
        assertNull(audit.get("subscription_id"));

        // Erasing again: nothing left to erase (404), no second record. A retry of its delivery is refused.
        given().header("Authorization", tenant.bearer()).delete("/v1/events/" + eventId)
                .then().statusCode(404).contentType("application/problem+json").body("status", is(404));
        assertEquals(1, Database.count("select count(*) from audit where target = ?", eventId));
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + queued + "/retry")
                .then().statusCode(409).contentType("application/problem+json");
        assertEquals("cancelled", status(queued));
    }

    @Test
    void aFailedDeliveryOfAnErasedEventIsNeitherRequeuedNorSent() {
        Api.Tenant tenant = Api.tenant();
        retrying.always(500);
        String sub = subscribe(tenant, retrying.url("/hook"), "erase.failed");
        String eventId = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "erase.failed", "payload", Map.of("n", 1)))
                .post("/v1/events").then().statusCode(202).extract().path("id");
        UUID delivery = delivery(eventId, sub);
        // The test schedule's two short retries: three attempts, then failed for good.
        await().atMost(DEADLINE).until(() -> "failed".equals(status(delivery)));
        given().header("Authorization", tenant.bearer()).delete("/v1/events/" + eventId)
                .then().statusCode(200).body("cancelledDeliveries", is(0));
        assertEquals("failed", status(delivery), "a finished delivery keeps its outcome");

        retrying.always(200);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + delivery + "/retry")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", matchesPattern(".*erased.*"));
        assertEquals("failed", status(delivery));
        assertEquals(3, retrying.count());
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId + "/attempts")
                .then().statusCode(200).body("items", hasSize(3)).body("items.eventErased", everyItem(is(true)));
    }

    /**
     * The claim's own guard: a queued delivery of an erased event (which erasure never leaves behind; written
     * here by hand, as a race could) is not sent, with or without a body.
     */
    @Test
    void theClaimNeverSendsADeliveryOfAnErasedEvent() {
        Api.Tenant tenant = Api.tenant();
        String sub = subscribe(tenant, retrying.url("/hook"), "erased.by.hand");
        UUID event = UUID.randomUUID();
        UUID delivery = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format, erased_at)"
                + " values (?, ?, 'erased.by.hand', null, 'json', now())", event, tenant.orgId());
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at)"
                + " values (?, ?, ?, ?, 'queued', now())", delivery, event, UUID.fromString(sub), tenant.orgId());
        try {
            Database.query("select pg_notify('hookhub_delivery', '')");
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(4)).until(() -> retrying.count() == 0);
            assertEquals("queued", status(delivery), "never leased");
            assertEquals(0, attempts(delivery));
        } finally {
            Database.query("delete from delivery where id = ?", delivery);
        }
    }

    @Test
    void foreignUnknownAndMalformedIdsAreRefusedInTheRoutesFormatAndChangeNothing() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        // No subscription listens: the event is stored and stays as it is.
        String eventId = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "nobody.listens", "payload", Map.of("n", 1)))
                .post("/v1/events").then().statusCode(202).body("deliveries", is(0)).extract().path("id");

        given().header("Authorization", other.bearer()).delete("/v1/events/" + eventId)
                .then().statusCode(404).contentType("application/problem+json").body("status", is(404));
        Problems.msgpack(given().header("Authorization", other.bearer()).accept("application/x-msgpack")
                .delete("/v1/events/" + eventId), 404, "Not Found");
        given().header("Authorization", tenant.bearer()).delete("/v1/events/" + UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", tenant.bearer()).delete("/v1/events/not-a-uuid")
                .then().statusCode(400).contentType("application/problem+json").body("status", is(400));
        Map<String, Object> problem = Problems.msgpack(given().header("Authorization", tenant.bearer())
                .queryParam("format", "msgpack").delete("/v1/events/not-a-uuid"), 400, "Bad Request");
        assertTrue(String.valueOf(problem.get("detail")).contains("id"), problem.toString());
        given().header("Authorization", viewer.bearer()).delete("/v1/events/" + eventId)
                .then().statusCode(403).contentType("application/problem+json");
        given().delete("/v1/events/" + eventId).then().statusCode(401);

        Map<String, Object> row = Database.query("select payload, erased_at from event where id = ?", UUID.fromString(eventId))
                .get(0);
        assertNotNull(row.get("payload"), "nothing erased");
        assertNull(row.get("erased_at"));
        assertEquals(0, Database.count("select count(*) from audit where target = ?", eventId));
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId)
                .then().statusCode(200).body("payload.n", is(1));
    }

    private static String subscribe(Api.Tenant tenant, String url, String event) {
        return (String) Api.createSubscription(tenant, Map.of("name", "erasure-" + event, "url", url,
                "events", List.of(event))).get("id");
    }

    private static UUID delivery(String eventId, String subscriptionId) {
        return (UUID) Database.query("select id from delivery where event_id = ? and subscription_id = ?",
                UUID.fromString(eventId), UUID.fromString(subscriptionId)).get(0).get("id");
    }

    private static String status(UUID deliveryId) {
        return (String) Database.query("select status from delivery where id = ?", deliveryId).get(0).get("status");
    }

    private static int attempts(UUID deliveryId) {
        return (Integer) Database.query("select attempts from delivery where id = ?", deliveryId).get(0).get("attempts");
    }
}

package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Surfaces;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operational events end to end: the cause (a delete through each surface, a receiver failing every retry, a
 * 410), the outbox row written with it, the relay, and a real listener on loopback verifying the Standard
 * Webhooks signature and every documented field; and the database after.
 */
@QuarkusTest
class OperationalEventsTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The listener's endpoint: answers 200. */
    private final Receiver listener = new Receiver();
    /** A receiver that fails, as each test says. */
    private final Receiver failing = new Receiver();

    @Inject
    EventPublisher publisher;

    @AfterEach
    void stopReceivers() {
        listener.close();
        failing.close();
    }

    @Test
    void aListenerHearsOfEachDeletionThroughEachOfTheSixSurfacesOnceSigned() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Surfaces.Credentials credentials = Surfaces.Credentials.of(tenant);
        Map<String, Object> listening = subscribe(tenant, listener, List.of(OperationalEvents.SUBSCRIPTION_DELETED));
        Map<UUID, Map<String, Object>> deleted = new HashMap<>();
        Map<UUID, Surfaces.Surface> through = new HashMap<>();
        for (Surfaces.Surface surface : Surfaces.Surface.values()) {
            Map<String, Object> sub = Api.createSubscription(tenant);
            UUID id = UUID.fromString((String) sub.get("id"));
            DeleteEffects.queueDeliveries(tenant.orgId(), id, "order.created");
            assertEquals(surface.success, Surfaces.delete(surface, credentials, sub), surface.name());
            deleted.put(id, sub);
            through.put(id, surface);
        }

        await().atMost(DEADLINE).until(() -> listener.count() >= 6);
        awaitOutboxEmpty(tenant.orgId());
        assertEquals(6, listener.count(), "one event per deletion");
        for (Receiver.Received request : listener.requests()) {
            JsonNode body = verified(request, (String) listening.get("secret"));
            assertEquals(OperationalEvents.SUBSCRIPTION_DELETED, request.header("hookhub-event-type"));
            assertEquals(OperationalEvents.SUBSCRIPTION_DELETED, body.get("type").asText());
            assertTrue(body.get("timestamp").asText().matches(ISO_UTC), body.toString());
            JsonNode data = body.get("data");
            assertEquals(List.of("subscription", "surface", "actor", "remoteAddress", "deletedAt", "droppedDeliveries",
                    "destroyedSecrets"), fields(data));
            JsonNode subscription = data.get("subscription");
            assertEquals(List.of("id", "number", "name", "url", "events"), fields(subscription));
            UUID id = UUID.fromString(subscription.get("id").asText());
            Map<String, Object> sub = deleted.remove(id);
            assertNotNull(sub, "a deleted subscription, each once: " + id);
            String surface = through.get(id).name().toLowerCase();
            assertTrue(subscription.get("number").isIntegralNumber());
            assertEquals(((Number) sub.get("number")).longValue(), subscription.get("number").asLong());
            Map<String, Object> row = Database.query("select name, url, deleted_at, deleted_by from subscription where id = ?", id)
                    .get(0);
            assertEquals(row.get("name"), subscription.get("name").asText());
            assertEquals(row.get("url"), subscription.get("url").asText());
            assertEquals(List.of("order.created", "order.paid"), JSON.convertValue(subscription.get("events"), List.class));
            Map<String, Object> audit = Database.query("select actor, surface, remote_address from audit where subscription_id = ?", id)
                    .get(0);
            assertEquals(surface, data.get("surface").asText());
            assertEquals(audit.get("surface"), data.get("surface").asText());
            assertEquals(audit.get("actor"), data.get("actor").asText());
            assertEquals(row.get("deleted_by"), data.get("actor").asText());
            assertEquals("127.0.0.1", data.get("remoteAddress").asText());
            assertEquals(audit.get("remote_address"), data.get("remoteAddress").asText());
            assertTrue(data.get("deletedAt").asText().matches(ISO_UTC), data.toString());
            assertEquals(((Timestamp) row.get("deleted_at")).toInstant(), Instant.parse(data.get("deletedAt").asText()));
            assertTrue(data.get("droppedDeliveries").isIntegralNumber());
            assertEquals(1, data.get("droppedDeliveries").asInt(), "the queued delivery DeleteEffects left");
            assertTrue(data.get("destroyedSecrets").isIntegralNumber());
            assertEquals(1, data.get("destroyedSecrets").asInt(), "the secret it was created with");
        }
        assertTrue(deleted.isEmpty(), "every deletion was told: " + deleted.keySet());

        // The database after: six events of the org, each with one delivery, to the listener, succeeded.
        List<Map<String, Object>> events = Database.query("select e.id, d.subscription_id, d.status from event e"
                + " join delivery d on d.event_id = e.id where e.org_id = ? and e.type = ?", tenant.orgId(),
                OperationalEvents.SUBSCRIPTION_DELETED);
        assertEquals(6, events.size());
        await().atMost(DEADLINE).until(() -> Database.count("select count(*) from delivery d join event e on e.id = d.event_id"
                + " where e.org_id = ? and e.type = ? and d.status = 'succeeded'", tenant.orgId(),
                OperationalEvents.SUBSCRIPTION_DELETED) == 6);
        events.forEach(e -> assertEquals(listening.get("id"), e.get("subscription_id").toString()));
        // The org reads them like any event.
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + events.get(0).get("id")).then().statusCode(200)
                .body("type", equalTo(OperationalEvents.SUBSCRIPTION_DELETED))
                .body("payload.type", equalTo(OperationalEvents.SUBSCRIPTION_DELETED))
                .body("payload.data.droppedDeliveries", is(1));
    }

    @Test
    void anOrgThatDoesNotListenGetsNoOutboxRowAndNoEvent() {
        Api.Tenant quiet = Api.tenant();
        // Its only listener is deleted first (nobody else to tell), then a subscription nobody listens for.
        Map<String, Object> self = subscribe(quiet, listener, List.of(OperationalEvents.SUBSCRIPTION_DELETED, "order.created"));
        Map<String, Object> other = Api.createSubscription(quiet);
        Api.Tenant listening = Api.tenant();
        subscribe(listening, listener, List.of(OperationalEvents.SUBSCRIPTION_DELETED));
        Map<String, Object> watched = Api.createSubscription(listening);

        given().header("Authorization", quiet.bearer()).delete("/v1/subscriptions/" + self.get("id")).then().statusCode(204);
        given().header("Authorization", quiet.bearer()).delete("/v1/subscriptions/" + other.get("id")).then().statusCode(204);
        // A later cause in an org that listens: once its event is out, the relay has been past the quiet org's deletes.
        given().header("Authorization", listening.bearer()).delete("/v1/subscriptions/" + watched.get("id")).then().statusCode(204);
        await().atMost(DEADLINE).until(() -> listener.count() == 1);
        awaitOutboxEmpty(listening.orgId());

        assertEquals(0, Database.count("select count(*) from operational_event where org_id = ?", quiet.orgId()));
        assertEquals(0, Database.count("select count(*) from event where org_id = ?", quiet.orgId()));
        assertEquals(2, Database.count("select count(*) from audit where org_id = ? and action = 'subscription.delete'",
                quiet.orgId()), "both deletes happened");
        assertEquals(1, Database.count("select count(*) from event where org_id = ?", listening.orgId()));
    }

    @Test
    void aDeliveryThatRanOutOfRetriesIsToldAndAnExhaustedOperationalEventIsNeverItself() throws Exception {
        failing.always(500);
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> target = subscribe(tenant, failing, List.of("ord.er"));
        Map<String, Object> told = subscribe(tenant, listener, List.of(OperationalEvents.DELIVERY_EXHAUSTED));
        // A listener that fails too: its delivery of the exhausted event runs out of retries without a new event.
        Map<String, Object> deaf = subscribe(tenant, failing, List.of(OperationalEvents.DELIVERY_EXHAUSTED));

        String eventId = publish(tenant, "ord.er", Map.of("n", 1)).then().statusCode(202).body("deliveries", is(1))
                .extract().path("id");
        await().atMost(DEADLINE).until(() -> listener.count() == 1);
        Map<String, Object> delivery = Database.query("select id, attempts, completed_at, status from delivery where event_id = ?",
                UUID.fromString(eventId)).get(0);
        assertEquals("failed", delivery.get("status"));
        Map<String, Object> last = Database.query("select status_code, status_description from delivery_attempt"
                + " where delivery_id = ? order by attempted_at desc limit 1", delivery.get("id")).get(0);

        Receiver.Received request = listener.requests().get(0);
        JsonNode body = verified(request, (String) told.get("secret"));
        assertEquals(OperationalEvents.DELIVERY_EXHAUSTED, request.header("hookhub-event-type"));
        assertEquals(OperationalEvents.DELIVERY_EXHAUSTED, body.get("type").asText());
        assertTrue(body.get("timestamp").asText().matches(ISO_UTC));
        JsonNode data = body.get("data");
        assertEquals(List.of("deliveryId", "eventId", "eventType", "subscriptionId", "attempts", "lastStatusCode",
                "lastStatusDescription", "failedAt"), fields(data));
        assertEquals(delivery.get("id").toString(), data.get("deliveryId").asText());
        assertEquals(eventId, data.get("eventId").asText());
        assertEquals("ord.er", data.get("eventType").asText());
        assertEquals(target.get("id"), data.get("subscriptionId").asText());
        assertTrue(data.get("attempts").isIntegralNumber());
        assertEquals(3, data.get("attempts").asInt(), "the test schedule: a first attempt and two retries");
        assertEquals(delivery.get("attempts"), data.get("attempts").asInt());
        assertTrue(data.get("lastStatusCode").isIntegralNumber());
        assertEquals(500, data.get("lastStatusCode").asInt());
        assertEquals(last.get("status_code"), data.get("lastStatusCode").asInt());
        assertTrue(data.get("lastStatusDescription").isTextual());
        assertEquals(last.get("status_description"), data.get("lastStatusDescription").asText());
        assertTrue(data.get("failedAt").asText().matches(ISO_UTC));
        assertEquals(((Timestamp) delivery.get("completed_at")).toInstant(), Instant.parse(data.get("failedAt").asText()));

        // The failing listener's delivery of that exhausted event runs out of retries too, and raises nothing.
        UUID exhaustedEvent = (UUID) Database.query("select id from event where org_id = ? and type = ?",
                tenant.orgId(), OperationalEvents.DELIVERY_EXHAUSTED).get(0).get("id");
        await().atMost(DEADLINE).until(() -> "failed".equals(Database.query("select status from delivery where event_id = ?"
                + " and subscription_id = ?", exhaustedEvent, UUID.fromString((String) deaf.get("id"))).get(0).get("status")));
        assertEquals(0, Database.count("select count(*) from operational_event where org_id = ?", tenant.orgId()));
        assertEquals(1, Database.count("select count(*) from event where org_id = ? and type like 'hookhub.%'", tenant.orgId()));
        assertEquals(1, listener.count());
    }

    @Test
    void aGoneReceiverDisablesItsSubscriptionAndTheOrgIsTold() throws Exception {
        failing.always(410);
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> target = subscribe(tenant, failing, List.of("g.one"));
        UUID targetId = UUID.fromString((String) target.get("id"));
        DeleteEffects.queueDeliveries(tenant.orgId(), targetId, "g.one");
        Map<String, Object> told = subscribe(tenant, listener, List.of(OperationalEvents.SUBSCRIPTION_DISABLED));

        publish(tenant, "g.one", Map.of()).then().statusCode(202).body("deliveries", is(1));
        await().atMost(DEADLINE).until(() -> listener.count() == 1);
        awaitOutboxEmpty(tenant.orgId());

        JsonNode data = disabled(listener.requests().get(0), (String) told.get("secret"), target);
        assertEquals("gone", data.get("reason").asText());
        assertEquals(410, data.get("lastStatusCode").asInt());
        assertEquals(1, data.get("cancelledDeliveries").asInt(), "the queued delivery DeleteEffects left");
        assertEquals(Database.subscriptionTime(targetId, "failing_since"), Instant.parse(data.get("failingSince").asText()));
        Api.getSubscription(tenant, targetId).then().statusCode(200).body("active", is(false));
        // No one listens to hookhub.delivery.exhausted: the failed delivery left no row for it.
        assertEquals(1, Database.count("select count(*) from event where org_id = ? and type like 'hookhub.%'", tenant.orgId()));
    }

    @Test
    void aSubscriptionFailingTooLongIsDisabledForFailing() throws Exception {
        failing.always(503);
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> target = subscribe(tenant, failing, List.of("fa.il"));
        UUID targetId = UUID.fromString((String) target.get("id"));
        Database.query("update subscription set failing_since = now() - interval '6 days' where id = ?", targetId);
        Map<String, Object> told = subscribe(tenant, listener, List.of(OperationalEvents.SUBSCRIPTION_DISABLED));

        publish(tenant, "fa.il", Map.of()).then().statusCode(202).body("deliveries", is(1));
        await().atMost(DEADLINE).until(() -> listener.count() == 1);

        JsonNode data = disabled(listener.requests().get(0), (String) told.get("secret"), target);
        assertEquals("failing", data.get("reason").asText());
        assertEquals(503, data.get("lastStatusCode").asInt());
        assertEquals(0, data.get("cancelledDeliveries").asInt());
        Instant since = Instant.parse(data.get("failingSince").asText());
        assertEquals(Database.subscriptionTime(targetId, "failing_since"), since);
        assertTrue(since.isBefore(Instant.now().minus(Duration.ofDays(5))), since.toString());
        assertEquals(1, failing.count(), "deactivated at the first failure past five days");
    }

    @Test
    void theHookhubPrefixIsReservedToHookhub() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = subscribe(tenant, listener, List.of("hookhub.x", OperationalEvents.SUBSCRIPTION_DELETED));
        for (String type : List.of("hookhub.x", OperationalEvents.SUBSCRIPTION_DELETED, "HookHub.Subscription.Deleted")) {
            publish(tenant, type, Map.of()).then().statusCode(400).contentType("application/problem+json")
                    .body("status", is(400))
                    .body("errors[0].field", equalTo("type"))
                    .body("errors[0].message", equalTo("must not start with 'hookhub.': that prefix is reserved for hookhub's own"
                            + " operational events"));
        }
        byte[] answer = given().header("Authorization", tenant.bearer()).contentType("application/x-msgpack")
                .accept("application/x-msgpack").body(Msgpack.encode(Map.of("type", "hookhub.x", "payload", 1)))
                .post("/v1/events").then().statusCode(400).contentType("application/x-msgpack").extract().asByteArray();
        Map<String, Object> problem = Msgpack.decodeMap(answer);
        assertEquals("type", ((Map<?, ?>) ((List<?>) problem.get("errors")).get(0)).get("field"));
        // Not a prefix: an ordinary type.
        publish(tenant, "hookhubx.y", Map.of()).then().statusCode(202);

        assertEquals(1, Database.count("select count(*) from event where org_id = ?", tenant.orgId()), "only hookhubx.y");
        assertEquals(0, Database.count("select count(*) from delivery where org_id = ?", tenant.orgId()));

        // A subscription listing one may be sent a test event of it (the test payload), to try its handler.
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + sub.get("id") + "/test?type="
                + OperationalEvents.SUBSCRIPTION_DELETED).then().statusCode(202)
                .body("type", equalTo(OperationalEvents.SUBSCRIPTION_DELETED));
        await().atMost(DEADLINE).until(() -> listener.count() == 1);
        assertEquals(OperationalEvents.SUBSCRIPTION_DELETED, listener.requests().get(0).header("hookhub-event-type"));
        assertTrue(new String(listener.requests().get(0).body(), StandardCharsets.UTF_8).contains("\"test\":true"));
    }

    @Test
    void anOutboxRowPublishedAgainIsDeliveredOnce() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, listener, List.of(OperationalEvents.SUBSCRIPTION_DELETED));
        Map<String, Object> sub = Api.createSubscription(tenant);
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + sub.get("id")).then().statusCode(204);
        await().atMost(DEADLINE).until(() -> listener.count() == 1);
        awaitOutboxEmpty(tenant.orgId());
        Map<String, Object> event = Database.query("select id, payload from event where org_id = ?", tenant.orgId()).get(0);
        UUID eventId = (UUID) event.get("id");

        // As a relay that died after publishing and before deleting the row leaves it.
        Database.query("insert into operational_event (id, org_id, type, data) values (?, ?, ?, '{}'::json)", eventId,
                tenant.orgId(), OperationalEvents.SUBSCRIPTION_DELETED);
        awaitOutboxEmpty(tenant.orgId());
        assertEquals(1, Database.count("select count(*) from event where org_id = ?", tenant.orgId()));
        assertEquals(1, Database.count("select count(*) from delivery where event_id = ?", eventId), "no second delivery");
        assertTrue(java.util.Arrays.equals((byte[]) event.get("payload"),
                (byte[]) Database.query("select payload from event where id = ?", eventId).get(0).get("payload")),
                "the event is as first published");
        assertEquals(1, listener.count());

        // What publishing an id again answers: nothing stored, nothing queued.
        var again = publisher.publish(eventId, tenant.orgId(), OperationalEvents.SUBSCRIPTION_DELETED,
                new Payloads.Stored("{}".getBytes(StandardCharsets.UTF_8), "json")).await().atMost(DEADLINE);
        assertNull(again);
        assertEquals(1, Database.count("select count(*) from delivery where event_id = ?", eventId));
    }

    @Test
    void anOffboardedOrgsRowsAreDroppedUnpublished() {
        Api.Tenant tenant = Api.tenant();
        subscribe(tenant, listener, List.of(OperationalEvents.SUBSCRIPTION_DELETED));
        // As offboarding leaves an org that had an event waiting: it accepts nothing any more.
        Database.query("update organization set offboarded_at = now() where id = ?", tenant.orgId());
        Database.query("insert into operational_event (org_id, type, data) values (?, ?, '{}'::json)", tenant.orgId(),
                OperationalEvents.SUBSCRIPTION_DELETED);
        awaitOutboxEmpty(tenant.orgId());
        assertEquals(0, Database.count("select count(*) from event where org_id = ?", tenant.orgId()));
        assertEquals(0, listener.count());
    }

    /** The disabled event's envelope and the fields every reason shares; the data for the rest. */
    private static JsonNode disabled(Receiver.Received request, String secret, Map<String, Object> target) throws Exception {
        JsonNode body = verified(request, secret);
        assertEquals(OperationalEvents.SUBSCRIPTION_DISABLED, request.header("hookhub-event-type"));
        assertEquals(OperationalEvents.SUBSCRIPTION_DISABLED, body.get("type").asText());
        assertTrue(body.get("timestamp").asText().matches(ISO_UTC));
        JsonNode data = body.get("data");
        assertEquals(List.of("subscription", "reason", "lastStatusCode", "failingSince", "disabledAt", "cancelledDeliveries"),
                fields(data));
        JsonNode subscription = data.get("subscription");
        assertEquals(List.of("id", "number", "name", "url", "events"), fields(subscription));
        assertEquals(target.get("id"), subscription.get("id").asText());
        assertEquals(((Number) target.get("number")).longValue(), subscription.get("number").asLong());
        assertTrue(subscription.get("number").isIntegralNumber());
        assertTrue(subscription.get("name").isTextual());
        assertTrue(subscription.get("url").asText().startsWith("http://127.0.0.1:"));
        assertTrue(subscription.get("events").isArray());
        assertTrue(data.get("reason").isTextual());
        assertTrue(data.get("lastStatusCode").isIntegralNumber());
        assertTrue(data.get("failingSince").asText().matches(ISO_UTC));
        assertTrue(data.get("disabledAt").asText().matches(ISO_UTC));
        assertFalse(Instant.parse(data.get("disabledAt").asText()).isBefore(Instant.parse(data.get("failingSince").asText())));
        assertTrue(data.get("cancelledDeliveries").isIntegralNumber());
        return data;
    }

    /** The body, once its Standard Webhooks signature verified with the listener's secret. */
    private static JsonNode verified(Receiver.Received request, String secret) throws Exception {
        String text = new String(request.body(), StandardCharsets.UTF_8);
        new Webhook(secret).verify(text, Map.of("webhook-id", List.of(request.header("webhook-id")),
                "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                "webhook-signature", List.of(request.header("webhook-signature"))));
        assertEquals("application/json", request.header("content-type"));
        JsonNode body = JSON.readTree(text);
        assertEquals(List.of("type", "timestamp", "data"), fields(body));
        return body;
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void awaitOutboxEmpty(UUID orgId) {
        await().atMost(DEADLINE).until(() -> Database.count("select count(*) from operational_event where org_id = ?", orgId) == 0);
    }

    private static Map<String, Object> subscribe(Api.Tenant tenant, Receiver receiver, List<String> events) {
        return Api.createSubscription(tenant, Map.of("name", "rx-" + UUID.randomUUID().toString().substring(0, 8),
                "url", receiver.url("/hook"), "events", events, "contentType", "application/json"));
    }

    private static io.restassured.response.Response publish(Api.Tenant tenant, String type, Object payload) {
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", payload)).post("/v1/events");
    }
}

package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import dev.hookhub.tenancy.DataKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Payloads at rest are sealed under their org's data key, itself wrapped under the master key: the database holds
 * no readable payload, receivers and readers get the plaintext, and once the org's key is gone nothing opens.
 */
@QuarkusTest
class PayloadEncryptionTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Inject
    PayloadSealer sealer;

    @Inject
    DataKeys keys;

    private final Receiver receiver = new Receiver();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void theDatabaseHoldsNoReadablePayloadWhileReceiversAndReadersGetTheirs() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Api.createSubscription(tenant, Map.of("name", "rx", "url", receiver.url("/hook"), "events", List.of("secret.told")));
        String marker = "marker-" + UUID.randomUUID();
        String eventId = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "secret.told", "payload", Map.of("card", marker)))
                .post("/v1/events").then().statusCode(202).extract().path("id");
        // A MessagePack payload too: sealed the same way, whatever its format.
        String msgpackMarker = "mp-" + UUID.randomUUID();
        byte[] body = Msgpack.encode(Map.of("type", "secret.told", "payload", Map.of("card", msgpackMarker)));
        String msgpackEvent = given().header("Authorization", tenant.bearer()).contentType("application/x-msgpack")
                .accept(ContentType.JSON).body(body).post("/v1/events").then().statusCode(202).extract().path("id");

        await().atMost(DEADLINE).until(() -> receiver.count() == 2);
        String delivered = new String(receiver.requests().get(0).body(), StandardCharsets.UTF_8)
                + new String(receiver.requests().get(1).body(), StandardCharsets.UTF_8);
        assertTrue(delivered.contains(marker) && delivered.contains(msgpackMarker), delivered);
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId).then().statusCode(200)
                .body("payload.card", equalTo(marker));
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + msgpackEvent).then().statusCode(200)
                .body("payload.card", equalTo(msgpackMarker));

        // The database after: sealed rows, no plaintext anywhere in them, the org's key wrapped (32 bytes + 28).
        for (String id : List.of(eventId, msgpackEvent)) {
            Map<String, Object> row = Database.query("select sealed, payload from event where id = ?", UUID.fromString(id)).get(0);
            assertEquals(true, row.get("sealed"));
            String stored = new String((byte[]) row.get("payload"), StandardCharsets.ISO_8859_1);
            assertFalse(stored.contains(marker) || stored.contains(msgpackMarker) || stored.contains("card"), "plaintext at rest");
        }
        assertEquals(0, Database.count("select count(*) from event where position(convert_to(?, 'UTF8') in payload) > 0", marker));
        byte[] wrapped = (byte[]) Database.query("select data_key from organization where id = ?", tenant.orgId()).get(0)
                .get("data_key");
        assertNotNull(wrapped);
        assertEquals(32 + 28, wrapped.length);

        // Another org has a key of its own.
        Api.Tenant other = Api.tenant();
        given().header("Authorization", other.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "secret.told", "payload", 1)).post("/v1/events").then().statusCode(202);
        byte[] otherKey = (byte[]) Database.query("select data_key from organization where id = ?", other.orgId()).get(0)
                .get("data_key");
        assertFalse(java.util.Arrays.equals(wrapped, otherKey));
    }

    @Test
    void aSealedPayloadMovedToAnotherRowDoesNotOpen() {
        Api.Tenant tenant = Api.tenant();
        String a = publish(tenant, Map.of("n", 1));
        String b = publish(tenant, Map.of("n", 2));
        Database.query("update event set payload = (select payload from event where id = ?) where id = ?",
                UUID.fromString(a), UUID.fromString(b));
        // The event id is the associated data: b's row does not open with a's ciphertext.
        int status = given().header("Authorization", tenant.bearer()).get("/v1/events/" + b).statusCode();
        assertEquals(500, status, "a tampered row is a server fault, never someone else's payload");
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + a).then().statusCode(200).body("payload.n", equalTo(1));
    }

    @Test
    void payloadsStoredBeforeEncryptionAreDeliveredAndThenSealed() throws Throwable {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = Api.createSubscription(tenant, Map.of("name", "rx", "url", receiver.url("/old"),
                "events", List.of("legacy.thing")));
        UUID event = UUID.randomUUID();
        String marker = "legacy-" + UUID.randomUUID();
        byte[] plain = ("{\"old\":\"" + marker + "\"}").getBytes(StandardCharsets.UTF_8);
        Database.query("insert into event (id, org_id, type, payload, payload_format, sealed) values (?, ?, 'legacy.thing', ?, 'json', false)",
                event, tenant.orgId(), plain);
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at) values (?, ?, ?, ?, 'queued', now())",
                UUID.randomUUID(), event, UUID.fromString((String) sub.get("id")), tenant.orgId());
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + event).then().statusCode(200)
                .body("payload.old", equalTo(marker));
        await().atMost(DEADLINE).until(() -> receiver.count() == 1);
        assertArrayEquals(plain, receiver.requests().get(0).body());

        long sealed = VertxContextSupport.subscribeAndAwait(sealer::sealAll);

        assertTrue(sealed >= 1, "sealed " + sealed);
        Map<String, Object> row = Database.query("select sealed, payload from event where id = ?", event).get(0);
        assertEquals(true, row.get("sealed"));
        assertFalse(new String((byte[]) row.get("payload"), StandardCharsets.ISO_8859_1).contains(marker));
        assertEquals(0, Database.count("select count(*) from event where not sealed and payload is not null"));
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + event).then().statusCode(200)
                .body("payload.old", equalTo(marker));
    }

    @Test
    void onceTheOrgsKeyIsDestroyedNothingOpensAndNoNewKeyIsMade() {
        Api.Tenant tenant = Api.tenant();
        String event = publish(tenant, Map.of("kept", "secret"));
        // What offboarding does first (crypto-erasure): the key goes, and the org accepts nothing more.
        Database.query("update organization set data_key = null, offboarded_at = now() where id = ?", tenant.orgId());
        keys.forget(tenant.orgId());

        given().header("Authorization", tenant.bearer()).get("/v1/events/" + event).then().statusCode(409);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "secret.told", "payload", 1)).post("/v1/events").then().statusCode(409);
        assertEquals(0, Database.count("select count(*) from organization where id = ? and data_key is not null", tenant.orgId()));
        assertEquals(1, Database.count("select count(*) from event where org_id = ?", tenant.orgId()));
    }

    private static String publish(Api.Tenant tenant, Object payload) {
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "secret.told", "payload", payload)).post("/v1/events").then().statusCode(202)
                .extract().path("id");
    }
}

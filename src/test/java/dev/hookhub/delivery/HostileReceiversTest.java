package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the sender does with receivers that misbehave on the wire (the test profile's delivery timeout is
 * 5 s): a huge body is a success read no further than a small cap, a small one keeps its connection,
 * and an answer that never comes (or never ends) is cut off at the deadline with its connection closed.
 */
@QuarkusTest
class HostileReceiversTest {

    private static final long TIMEOUT_MS = 5_000;
    private static final long MARGIN_MS = 1_500;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void aHugeBodyIsASuccessReadNoFurtherThanACapWithItsConnectionClosed() {
        try (HostileReceiver receiver = HostileReceiver.bigBody(50L * 1024 * 1024)) {
            Api.Tenant tenant = Api.tenant();
            Map<String, Object> sub = subscribe(tenant, receiver);
            String eventId = publish(tenant);

            await().atMost(DEADLINE).until(() -> "succeeded".equals(event(tenant, eventId).getString("deliveries[0].status")));
            JsonPath attempt = attempts(tenant, sub);
            assertEquals(1, attempt.getList("items").size());
            assertEquals(200, attempt.getInt("items[0].statusCode"));
            assertEquals("200 OK", attempt.getString("items[0].statusDescription"));
            assertTrue(attempt.getInt("items[0].durationMs") < TIMEOUT_MS, attempt.prettify());

            // hookhub closed the connection rather than read 50 MiB or pool it with unread bytes.
            await().atMost(DEADLINE).until(() -> receiver.connections().stream().noneMatch(HostileReceiver.Connection::open));
            HostileReceiver.Connection connection = receiver.connections().get(0);
            assertTrue(connection.bytesWritten.get() < 25L * 1024 * 1024,
                    "the receiver got to write " + connection.bytesWritten.get() + " bytes of 50 MiB");
            assertEquals(0, HostileReceiver.establishedTo(receiver.port()));
        }
    }

    @Test
    void aSmallBodyIsReadToItsEndAndTheConnectionReused() {
        try (HostileReceiver receiver = HostileReceiver.smallBody()) {
            Api.Tenant tenant = Api.tenant();
            subscribe(tenant, receiver);
            for (int i = 0; i < 2; i++) {
                String eventId = publish(tenant);
                await().atMost(DEADLINE).until(() -> "succeeded".equals(event(tenant, eventId).getString("deliveries[0].status")));
            }
            assertEquals(1, receiver.connections().size(), "both deliveries on one keep-alive connection");
            assertEquals(2, receiver.requests());
            assertTrue(receiver.connections().get(0).open());
        }
    }

    @Test
    void answersThatNeverComeOrNeverEndAreCutOffAtTheDeadlineAndTheirConnectionsClosed() {
        // A byte a second: a timeout counted in idle time would never fire.
        try (HostileReceiver drip = HostileReceiver.drip(Duration.ofSeconds(1));
                HostileReceiver hang = HostileReceiver.hang();
                HostileReceiver headThenDrip = HostileReceiver.headThenDrip(Duration.ofSeconds(1))) {
            Api.Tenant tenant = Api.tenant();
            Map<String, Object> dripSub = subscribe(tenant, drip);
            Map<String, Object> hangSub = subscribe(tenant, hang);
            Map<String, Object> headSub = subscribe(tenant, headThenDrip);
            String eventId = publish(tenant);

            for (HostileReceiver receiver : List.of(drip, hang, headThenDrip)) {
                await().atMost(DEADLINE).until(() -> !receiver.connections().isEmpty()
                        && !receiver.connections().get(0).open());
                Duration lifetime = receiver.connections().get(0).lifetime();
                assertTrue(lifetime.toMillis() <= TIMEOUT_MS + MARGIN_MS, "connection closed after " + lifetime);
            }
            for (Map<String, Object> sub : List.of(dripSub, hangSub)) {
                await().atMost(DEADLINE).until(() -> !attempts(tenant, sub).getList("items").isEmpty());
                JsonPath attempt = attempts(tenant, sub);
                assertNull(attempt.get("items[0].statusCode"), attempt.prettify());
                assertEquals("no response within 5000 ms", attempt.getString("items[0].statusDescription"));
                int duration = attempt.getInt("items[0].durationMs");
                assertTrue(duration >= TIMEOUT_MS - 50 && duration <= TIMEOUT_MS + MARGIN_MS, "duration " + duration);
            }
            // The status came in time: it stands, though the body never ended.
            await().atMost(DEADLINE).until(() -> !attempts(tenant, headSub).getList("items").isEmpty());
            JsonPath attempt = attempts(tenant, headSub);
            assertEquals(200, attempt.getInt("items[0].statusCode"));
            int duration = attempt.getInt("items[0].durationMs");
            assertTrue(duration >= TIMEOUT_MS - 50 && duration <= TIMEOUT_MS + MARGIN_MS, "duration " + duration);
            JsonPath event = event(tenant, eventId);
            assertEquals("succeeded", event.getString("deliveries.find { it.subscriptionId == '" + headSub.get("id") + "' }.status"));

            for (Map<String, Object> sub : List.of(dripSub, hangSub, headSub)) {
                given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + sub.get("id"))
                        .then().statusCode(204);
            }
        }
    }

    private static Map<String, Object> subscribe(Api.Tenant tenant, HostileReceiver receiver) {
        return Api.createSubscription(tenant, Map.of("name", "hostile-" + UUID.randomUUID().toString().substring(0, 8),
                "url", receiver.url("/hook"), "events", List.of("order.created")));
    }

    private static String publish(Api.Tenant tenant) {
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "order.created", "payload", Map.of("orderId", 1)))
                .post("/v1/events").then().statusCode(202).extract().jsonPath().getString("id");
    }

    private static JsonPath event(Api.Tenant tenant, String eventId) {
        return given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId)
                .then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath attempts(Api.Tenant tenant, Map<String, Object> sub) {
        return given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + sub.get("id") + "/attempts")
                .then().statusCode(200).extract().jsonPath();
    }
}

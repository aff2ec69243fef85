package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the instance's default slots (max-in-flight 1,024, max-in-flight-per-org unset: 896), one org whose 20
 * subscriptions (maxInFlight 60 each) all hang wants 1,200 attempts at once; another org's healthy receiver still
 * gets each of its events within a second, not when the hanging attempts time out (5 s in the test profile). With
 * a per-org default at or above max-in-flight, or a claim that could add a whole batch beyond the bound, the
 * hanging org took every slot and the other waited for the deadline.
 */
@QuarkusTest
class OrgInFlightBoundTest {

    private static final int HANGING = 20;
    private static final int PER_SUBSCRIPTION = 60;
    /** Seven eighths of the default max-in-flight (1,024). */
    private static final int BOUND = 896;
    private static final int EVENTS = 5;
    private static final Duration FIRST_ATTEMPT_WITHIN = Duration.ofSeconds(1);

    @Test
    void oneOrgsHangingEndpointsLeaveTheOtherOrgsSlots() {
        try (HostileReceiver hang = HostileReceiver.hang(); Receiver healthy = new Receiver()) {
            Api.Tenant hog = Api.tenant();
            Api.Tenant other = Api.tenant();
            List<String> hogSubs = new ArrayList<>();
            for (int i = 0; i < HANGING; i++) {
                hogSubs.add((String) Api.createSubscription(hog, Map.of("name", "hang" + i,
                        "url", hang.url("/hang/" + i), "events", List.of("hog.x"), "maxInFlight", PER_SUBSCRIPTION)).get("id"));
            }
            String otherSub = (String) Api.createSubscription(other, Map.of("name", "healthy",
                    "url", healthy.url("/ok"), "events", List.of("other.x"))).get("id");
            for (int i = 0; i < PER_SUBSCRIPTION; i++) {
                publish(hog, "hog.x", i);
            }
            UUID hogOrg = hog.orgId();
            await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(hogOrg) >= BOUND - 64);

            for (int i = 0; i < EVENTS; i++) {
                Instant published = Instant.now();
                publish(other, "other.x", i);
                int expected = i + 1;
                await().atMost(Duration.ofSeconds(10)).until(() -> healthy.requests().size() >= expected);
                Duration took = Duration.between(published, healthy.requests().get(i).at());
                assertTrue(took.compareTo(FIRST_ATTEMPT_WITHIN) <= 0, "event " + i + " of the other org was first"
                        + " attempted after " + took.toMillis() + " ms beside " + inFlight(hogOrg) + " hanging attempts");
                long hogNow = inFlight(hogOrg);
                assertTrue(hogNow <= BOUND, "the hanging org has " + hogNow + " attempts in flight, more than its bound " + BOUND);
            }
            for (String id : hogSubs) {
                given().header("Authorization", hog.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(204);
            }
            given().header("Authorization", other.bearer()).delete("/v1/subscriptions/" + otherSub).then().statusCode(204);
        }
    }

    private static long inFlight(UUID orgId) {
        return Database.count("select count(*) from delivery where org_id = ? and status = 'in_flight'", orgId);
    }

    private static void publish(Api.Tenant tenant, String type, int n) {
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", Map.of("n", n)))
                .post("/v1/events").then().statusCode(202);
    }
}

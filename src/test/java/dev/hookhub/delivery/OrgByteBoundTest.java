package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the instance's default payload budget (max-in-flight-bytes 8 MiB), one org whose 20 subscriptions hang gets
 * events of about 900 KB: a dozen of its attempts hold the whole budget until their deadline (5 s in the test
 * profile), and their retries (0.2 s later) take it again. Another org's small events are still each attempted within
 * a second. Before the per-org byte bound, the budget was the instance's alone: every claim stopped while it was used
 * up, and the other org's events waited for the hanging attempts' deadlines (in production, 15 s a round: a healthy
 * org's p50 latency was 53 s).
 */
@QuarkusTest
class OrgByteBoundTest {

    private static final int HANGING = 20;
    private static final int BIG_EVENTS = 4;
    private static final int BLOB_CHARS = 900_000;
    private static final int EVENTS = 5;
    private static final Duration FIRST_ATTEMPT_WITHIN = Duration.ofSeconds(1);

    @Test
    void oneOrgsLargeEventsToHangingEndpointsLeaveTheOtherOrgsPayloadBudget() {
        try (HostileReceiver hang = HostileReceiver.hang(); Receiver healthy = new Receiver()) {
            Api.Tenant hog = Api.tenant();
            Api.Tenant other = Api.tenant();
            List<String> hogSubs = new ArrayList<>();
            for (int i = 0; i < HANGING; i++) {
                hogSubs.add((String) Api.createSubscription(hog, Map.of("name", "hang" + i,
                        "url", hang.url("/hang/" + i), "events", List.of("hog.big"))).get("id"));
            }
            String otherSub = (String) Api.createSubscription(other, Map.of("name", "healthy",
                    "url", healthy.url("/ok"), "events", List.of("other.x"))).get("id");
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < BIG_EVENTS; i++) {
                byte[] noise = new byte[BLOB_CHARS];
                random.nextBytes(noise);
                String blob = Base64.getEncoder().encodeToString(noise).substring(0, BLOB_CHARS);
                publish(hog, "hog.big", Map.of("n", i, "blob", blob));
            }
            UUID hogOrg = hog.orgId();
            // Six or more hanging ~900 KB attempts: at least 5.4 MB of the 8 MiB budget.
            await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(hogOrg) >= 6);

            for (int i = 0; i < EVENTS; i++) {
                Instant published = Instant.now();
                publish(other, "other.x", Map.of("n", i));
                int expected = i + 1;
                await().atMost(Duration.ofSeconds(20)).until(() -> healthy.requests().size() >= expected);
                Duration took = Duration.between(published, healthy.requests().get(i).at());
                assertTrue(took.compareTo(FIRST_ATTEMPT_WITHIN) <= 0, "event " + i + " of the other org was first"
                        + " attempted after " + took.toMillis() + " ms beside " + inFlight(hogOrg)
                        + " hanging attempts of ~900 KB events");
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

    private static void publish(Api.Tenant tenant, String type, Map<String, Object> payload) {
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", payload))
                .post("/v1/events").then().statusCode(202);
    }
}

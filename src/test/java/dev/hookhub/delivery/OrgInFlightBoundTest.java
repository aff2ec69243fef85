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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One org ("the hog") whose 20 subscriptions all hang, beside another org whose healthy receiver must still get each
 * of its events within a second, not when the hanging attempts time out (5 s in the test profile), under each of the
 * instance's per-org bounds:
 * <ul>
 * <li>slots (max-in-flight 1,024, max-in-flight-per-org unset: 896): the hog wants 1,200 attempts at once (maxInFlight
 * 60 each). With a per-org default at or above max-in-flight, or a claim that could add a whole batch beyond the
 * bound, the hog took every slot and the other waited for the deadline;</li>
 * <li>payload bytes (max-in-flight-bytes 8 MiB): the hog's events are about 900 KB, so a dozen of its attempts hold
 * the whole budget until their deadline and their retries (0.2 s later) take it again. Before the per-org byte bound,
 * every claim stopped while the budget was used up (in production, 15 s a round: a healthy org's p50 latency was
 * 53 s).</li>
 * </ul>
 */
@QuarkusTest
class OrgInFlightBoundTest {

    private static final int HANGING = 20;
    private static final int PER_SUBSCRIPTION = 60;
    /** Seven eighths of the default max-in-flight (1,024). */
    private static final int BOUND = 896;
    private static final int BIG_EVENTS = 4;
    private static final int BLOB_CHARS = 900_000;
    private static final int EVENTS = 5;
    private static final Duration FIRST_ATTEMPT_WITHIN = Duration.ofSeconds(1);

    @Test
    void oneOrgsHangingEndpointsLeaveTheOtherOrgsSlots() {
        besideAHangingOrg(Map.of("maxInFlight", PER_SUBSCRIPTION), hog -> {
            for (int i = 0; i < PER_SUBSCRIPTION; i++) {
                publish(hog, Map.of("n", i));
            }
        }, BOUND - 64, Duration.ofSeconds(10), "hanging attempts", hogNow -> assertTrue(hogNow <= BOUND,
                "the hanging org has " + hogNow + " attempts in flight, more than its bound " + BOUND));
    }

    @Test
    void oneOrgsLargeEventsToHangingEndpointsLeaveTheOtherOrgsPayloadBudget() {
        SecureRandom random = new SecureRandom();
        // Six or more hanging ~900 KB attempts: at least 5.4 MB of the 8 MiB budget.
        besideAHangingOrg(Map.of(), hog -> {
            for (int i = 0; i < BIG_EVENTS; i++) {
                byte[] noise = new byte[BLOB_CHARS];
                random.nextBytes(noise);
                publish(hog, Map.of("n", i, "blob", Base64.getEncoder().encodeToString(noise).substring(0, BLOB_CHARS)));
            }
        }, 6, Duration.ofSeconds(20), "hanging attempts of ~900 KB events", hogNow -> { });
    }

    /**
     * The hog's {@link #HANGING} subscriptions (with {@code hogTerms}) to a receiver that never answers, loaded by
     * {@code load}; once the hog has {@code hogAtLeast} attempts in flight, the other org's {@link #EVENTS} events are
     * published one by one (each awaited at most {@code otherWait}) and each must be first attempted within
     * {@link #FIRST_ATTEMPT_WITHIN}; {@code eachRound} checks the hog's attempts in flight after each.
     */
    private static void besideAHangingOrg(Map<String, Object> hogTerms, Consumer<Api.Tenant> load, long hogAtLeast,
            Duration otherWait, String hogAttempts, LongConsumer eachRound) {
        try (HostileReceiver hang = HostileReceiver.hang(); Receiver healthy = new Receiver()) {
            Api.Tenant hog = Api.tenant();
            Api.Tenant other = Api.tenant();
            List<String> hogSubs = new ArrayList<>();
            for (int i = 0; i < HANGING; i++) {
                Map<String, Object> terms = new HashMap<>(hogTerms);
                terms.putAll(Map.of("name", "hang" + i, "url", hang.url("/hang/" + i), "events", List.of("hog.x")));
                hogSubs.add((String) Api.createSubscription(hog, terms).get("id"));
            }
            String otherSub = (String) Api.createSubscription(other, Map.of("name", "healthy",
                    "url", healthy.url("/ok"), "events", List.of("other.x"))).get("id");
            load.accept(hog);
            UUID hogOrg = hog.orgId();
            await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(hogOrg) >= hogAtLeast);

            for (int i = 0; i < EVENTS; i++) {
                Instant published = Instant.now();
                given().header("Authorization", other.bearer()).contentType(ContentType.JSON)
                        .body(Map.of("type", "other.x", "payload", Map.of("n", i)))
                        .post("/v1/events").then().statusCode(202);
                int expected = i + 1;
                await().atMost(otherWait).until(() -> healthy.requests().size() >= expected);
                Duration took = Duration.between(published, healthy.requests().get(i).at());
                assertTrue(took.compareTo(FIRST_ATTEMPT_WITHIN) <= 0, "event " + i + " of the other org was first"
                        + " attempted after " + took.toMillis() + " ms beside " + inFlight(hogOrg) + " " + hogAttempts);
                eachRound.accept(inFlight(hogOrg));
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

    /** One event of the hog's type. */
    private static void publish(Api.Tenant hog, Map<String, Object> payload) {
        given().header("Authorization", hog.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "hog.x", "payload", payload))
                .post("/v1/events").then().statusCode(202);
    }
}

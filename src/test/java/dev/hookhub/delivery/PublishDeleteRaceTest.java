package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Surfaces;
import dev.hookhub.support.Surfaces.Surface;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API.md §2 step 4 under a race: publishes fanned out at the very moment a subscription is deleted,
 * through every surface, never leave a delivery of the deleted subscription queued or in flight, and the
 * queue-depth gauge comes back to what the database holds.
 */
@QuarkusTest
class PublishDeleteRaceTest {

    private static final int ROUNDS = 200;
    private static final int PUBLISHERS = 4;
    private static final String TYPE = "race.hit";
    private static final Pattern QUEUE_DEPTH = Pattern.compile("(?m)^hookhub_delivery_queue_depth(?:\\{[^}]*})? ([0-9.eE+-]+)$");


    @Test
    void noDeliveryOfADeletedSubscriptionStaysQueued() throws Exception {
        Api.Tenant tenant = Api.tenant();
        Surfaces.Credentials credentials = Surfaces.Credentials.of(tenant);
        // A subscription that stays: every publish has somewhere to go, so the fan-out always runs.
        Api.createSubscription(tenant, body("stays"));

        ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS + 1);
        int[] published = new int[1];
        int[] beforeDelete = new int[1];
        int[] mixedRounds = new int[1];
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Surface surface = Surface.values()[round % Surface.values().length];
                Map<String, Object> doomed = Api.createSubscription(tenant, body("doomed-" + round));
                UUID id = UUID.fromString((String) doomed.get("id"));
                CyclicBarrier start = new CyclicBarrier(PUBLISHERS + 1);
                List<CompletableFuture<Integer>> calls = new ArrayList<>();
                for (int p = 0; p < PUBLISHERS; p++) {
                    int n = p;
                    calls.add(CompletableFuture.supplyAsync(() -> {
                        arrive(start);
                        var answer = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                                .body(Map.of("type", TYPE, "payload", Map.of("n", n))).post("/v1/events");
                        // 2 deliveries: the publish reached the doomed subscription before the delete; 1: after.
                        return answer.statusCode() == 202 ? answer.<Integer>path("deliveries") : -answer.statusCode();
                    }, threads));
                }
                calls.add(CompletableFuture.supplyAsync(() -> {
                    arrive(start);
                    return Surfaces.delete(surface, credentials, doomed);
                }, threads));
                int reached = 0;
                for (int p = 0; p < PUBLISHERS; p++) {
                    int deliveries = calls.get(p).get();
                    assertTrue(deliveries == 1 || deliveries == 2, "publish in round " + round + ": " + deliveries);
                    reached += deliveries - 1;
                    published[0]++;
                }
                beforeDelete[0] += reached;
                mixedRounds[0] += reached > 0 && reached < PUBLISHERS ? 1 : 0;
                int deleted = calls.get(PUBLISHERS).get();
                assertTrue(deleted == 200 || deleted == 204, "delete through " + surface + " in round " + round + ": " + deleted);
                assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ?"
                        + " and status in ('queued', 'in_flight')", id),
                        "round " + round + " (" + surface + "): a delivery of the deleted subscription is still pending");
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, Database.count("select count(*) from delivery d join subscription s on s.id = d.subscription_id"
                + " where s.org_id = ? and s.deleted_at is not null and d.status in ('queued', 'in_flight')", tenant.orgId()));
        System.out.printf("PublishDeleteRaceTest: %d rounds, %d publishes, %d of them fanned out to the doomed subscription"
                + " before its delete; %d rounds with publishes on both sides of the delete%n",
                ROUNDS, published[0], beforeDelete[0], mixedRounds[0]);

        // The gauge is refreshed from the database on a schedule (hookhub.delivery.gauge-refresh-every, 15 s):
        // once the worker has settled the surviving subscription's deliveries it reads what the table holds.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            long pending = Database.count("select count(*) from delivery where status in ('queued', 'in_flight')");
            return queueDepthGauge() == pending && Database.count("select count(*) from delivery d join subscription s"
                    + " on s.id = d.subscription_id where s.org_id = ? and s.deleted_at is not null"
                    + " and d.status in ('queued', 'in_flight')", tenant.orgId()) == 0;
        });
    }

    private static Map<String, Object> body(String name) {
        // Port 9 refuses at once: attempts fail fast and are retried, so deliveries stay pending for a while.
        return Map.of("name", name, "url", "http://127.0.0.1:9/" + name, "events", List.of(TYPE));
    }

    private static long queueDepthGauge() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = QUEUE_DEPTH.matcher(metrics);
        assertTrue(m.find(), "hookhub_delivery_queue_depth is exported");
        return (long) Double.parseDouble(m.group(1));
    }

    private static void arrive(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

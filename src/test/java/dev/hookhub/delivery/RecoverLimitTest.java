package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recovery re-queues at most hookhub.delivery.recover-limit (10,000) deliveries per request, so its time and the
 * time it holds the subscription's lock are bounded however many failed: a window of 25,000 is re-queued in three
 * parts, each answer's {@code next} the since of the following one, every delivery exactly once. One statement
 * over the whole window took 5.8 s for 200,000 rows (the subscription locked all along: its edits waited) and
 * timed out at 10 s, answered 503, past about 400,000, so that no retry could ever succeed.
 */
@QuarkusTest
class RecoverLimitTest {

    private static final int LIMIT = 10_000;

    @Test
    void aLargeWindowIsRecoveredInPartsEachDeliveryOnce() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = pausedSubscription(tenant);
        Instant since = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
        failed(tenant, sub, 25_000, "now() - g * interval '1 ms'");

        long total = 0;
        int parts = 0;
        Instant from = since;
        while (from != null) {
            long started = System.nanoTime();
            JsonPath answer = recover(tenant, sub, from);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            int requeued = answer.getInt("requeued");
            assertTrue(requeued <= LIMIT, "one recovery re-queued " + requeued);
            assertTrue(took.toSeconds() < 5, "one recovery took " + took);
            total += requeued;
            parts++;
            from = answer.getString("next") == null ? null : Instant.parse(answer.getString("next"));
            assertTrue(parts <= 4, "the recovery does not end");
        }
        assertEquals(3, parts);
        assertEquals(25_000, total);
        assertEquals(25_000, Database.count("select count(*) from delivery where subscription_id = ? and status = 'queued'",
                sub));
        assertEquals(3, Database.count("select count(*) from audit where subscription_id = ?"
                + " and action = 'subscription.recover'", sub));
    }

    @Test
    void moreThanTheLimitPublishedAtOneTimeAreRecoveredTogether() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = pausedSubscription(tenant);
        Instant since = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
        failed(tenant, sub, LIMIT + 5, "now() - interval '1 minute'");
        failed(tenant, sub, 10, "now() - interval '30 seconds'");

        JsonPath first = recover(tenant, sub, since);
        assertEquals(LIMIT + 5, first.getInt("requeued"));
        assertNotNull(first.getString("next"));
        JsonPath second = recover(tenant, sub, Instant.parse(first.getString("next")));
        assertEquals(10, second.getInt("requeued"));
        assertNull(second.getString("next"));
    }

    private static UUID pausedSubscription(Api.Tenant tenant) {
        UUID sub = UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", "bulk",
                "url", "http://127.0.0.1:9/hook", "events", List.of("bulk.x"))).get("id"));
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + sub + "/pause")
                .then().statusCode(200);
        return sub;
    }

    /** {@code count} deliveries of the subscription that failed for good, published at {@code createdAt(g)}. */
    private static void failed(Api.Tenant tenant, UUID sub, int count, String createdAt) {
        UUID event = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format) values (?, ?, 'bulk.x', '\\x7b7d', 'json')",
                event, tenant.orgId());
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, attempts, created_at, completed_at)"
                + " select gen_random_uuid(), ?, ?, ?, 'failed', 8, " + createdAt + ", now() from generate_series(1, ?) g",
                event, sub, tenant.orgId(), count);
    }

    private static JsonPath recover(Api.Tenant tenant, UUID sub, Instant since) {
        return given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("since", since.toString()))
                .post("/v1/subscriptions/" + sub + "/recover").then().statusCode(200).extract().jsonPath();
    }
}

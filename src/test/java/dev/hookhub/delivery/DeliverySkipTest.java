package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import dev.hookhub.support.Queue;
import dev.hookhub.support.WorkerOff;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /v1/deliveries/{id}/skip: only the blocked head of an ordered (fifo) subscription — its first pending
 * delivery in publish order, queued after a failed attempt — is skipped (cancelled); everything else is a 409 that
 * says why, and changes nothing. And "retry now" of a failed delivery puts it at the tail of that order. No worker
 * runs here: the rows stay as the test wrote them.
 */
@QuarkusTest
@TestProfile(WorkerOff.class)
class DeliverySkipTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
    private static final String MSGPACK = "application/x-msgpack";

    @Test
    void theFailedHeadOfAnOrderedSubscriptionIsSkippedAndNothingElseIs() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = subscription(tenant, "fifo");
        UUID event = Queue.event(tenant.orgId(), "s.kip", Duration.ofMinutes(10));
        UUID done = Queue.delivery(tenant.orgId(), sub, event, "succeeded", 1, Duration.ofMinutes(10));
        UUID head = Queue.delivery(tenant.orgId(), sub, event, "queued", 2, Duration.ofMinutes(9));
        UUID next = Queue.delivery(tenant.orgId(), sub, event, "queued", 0, Duration.ofMinutes(8));
        UUID last = Queue.delivery(tenant.orgId(), sub, event, "queued", 1, Duration.ofMinutes(7));

        // Not the head: one published after it, even one that failed.
        for (UUID behind : List.of(next, last)) {
            refused(tenant, behind, "not the head");
        }
        refused(tenant, done, "already finished (succeeded)");

        Instant asked = Instant.now().minusSeconds(1);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + head + "/skip")
                .then().statusCode(200).contentType(ContentType.JSON).header("Vary", "Accept")
                .body("id", equalTo(head.toString())).body("subscriptionId", equalTo(sub.toString()))
                .body("status", equalTo("cancelled")).body("attempts", is(2))
                .body("completedAt", matchesPattern(ISO_UTC)).body("createdAt", matchesPattern(ISO_UTC))
                .body("dueAt", matchesPattern(ISO_UTC));
        Map<String, Object> row = Queue.row(head);
        assertEquals("cancelled", row.get("status"));
        assertEquals(2, row.get("attempts"));
        assertTrue(((java.sql.Timestamp) row.get("completed_at")).toInstant().isAfter(asked));
        List<Map<String, Object>> records = Database.query("select subscription_id, target, actor, surface from audit"
                + " where action = 'delivery.skip' and org_id = ?", tenant.orgId());
        assertEquals(1, records.size());
        assertEquals(sub, records.get(0).get("subscription_id"));
        assertEquals(head.toString(), records.get(0).get("target"));
        assertEquals("v1", records.get(0).get("surface"));

        // Skipped once: it is finished now. The next one is the head, but has not failed yet.
        refused(tenant, head, "already finished (cancelled)");
        refused(tenant, next, "has not failed yet");

        // The head in flight: an attempt is under way.
        Database.query("update delivery set status = 'in_flight', attempts = 1, locked_until = now() + interval '1 minute'"
                + " where id = ?", next);
        refused(tenant, next, "in flight");
        refused(tenant, last, "not the head");

        // It failed (waits for its retry): now it can be skipped, answered in MessagePack.
        Database.query("update delivery set status = 'queued', locked_until = null where id = ?", next);
        Response skipped = given().header("Authorization", tenant.bearer()).accept(MSGPACK)
                .post("/v1/deliveries/" + next + "/skip");
        skipped.then().statusCode(200).contentType(MSGPACK);
        Map<String, Object> view = Msgpack.decodeMap(skipped.asByteArray());
        assertEquals("cancelled", view.get("status"));
        assertEquals(1L, view.get("attempts"));
        assertInstanceOf(Instant.class, view.get("completedAt"));
        assertEquals("cancelled", Queue.row(next).get("status"));
        assertEquals("queued", Queue.row(last).get("status"), "the one behind is the head now, untouched");
        given().header("Authorization", tenant.bearer()).queryParam("format", "json")
                .post("/v1/deliveries/" + last + "/skip").then().statusCode(200).body("status", equalTo("cancelled"));
    }

    @Test
    void anUnorderedSubscriptionHasNothingToSkip() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = subscription(tenant, "none");
        UUID event = Queue.event(tenant.orgId(), "s.kip", Duration.ofMinutes(1));
        UUID failedOnce = Queue.delivery(tenant.orgId(), sub, event, "queued", 1, Duration.ofMinutes(1));
        refused(tenant, failedOnce, "not ordered");
        // Made ordered, the same delivery is its blocked head.
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("ordering", "fifo"))
                .patch("/v1/subscriptions/" + sub).then().statusCode(200);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + failedOnce + "/skip")
                .then().statusCode(200).body("status", equalTo("cancelled"));
    }

    @Test
    void skipIsAWriteOfTheOwnOrgOnLiveSubscriptions() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = subscription(tenant, "fifo");
        UUID event = Queue.event(tenant.orgId(), "s.kip", Duration.ofMinutes(1));
        UUID head = Queue.delivery(tenant.orgId(), sub, event, "queued", 1, Duration.ofMinutes(1));
        Map<String, Object> row = Queue.row(head);
        String path = "/v1/deliveries/" + head + "/skip";

        given().post(path).then().statusCode(401).body("status", is(401));
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        given().header("Authorization", viewer.bearer()).post(path).then().statusCode(403);
        Api.Tenant other = Api.tenant();
        given().header("Authorization", other.bearer()).post(path).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString(head.toString()));
        Problems.msgpack(given().header("Authorization", other.bearer()).accept(MSGPACK).post(path), 404, "Not Found");
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + UUID.randomUUID() + "/skip")
                .then().statusCode(404);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/42/skip")
                .then().statusCode(400).body("detail", containsString("id"));
        assertEquals(row, Queue.row(head), "refused skips change nothing");

        // A deleted subscription's delivery is gone for this route (the delete dropped its pending rows).
        UUID finished = Queue.delivery(tenant.orgId(), sub, event, "failed", 3, Duration.ofMinutes(1));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + sub).then().statusCode(204);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + finished + "/skip").then().statusCode(404);
        assertEquals(0, Database.count("select count(*) from audit where action = 'delivery.skip' and org_id = ?",
                tenant.orgId()));
    }

    @Test
    void retryNowOfAFailedDeliveryGoesToTheTailOfThePublishOrder() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = subscription(tenant, "fifo");
        UUID event = Queue.event(tenant.orgId(), "s.kip", Duration.ofMinutes(5));
        UUID failed = Queue.delivery(tenant.orgId(), sub, event, "failed", 8, Duration.ofMinutes(5));
        UUID pending = Queue.delivery(tenant.orgId(), sub, event, "queued", 0, Duration.ofMinutes(4));
        UUID waiting = Queue.delivery(tenant.orgId(), sub, event, "queued", 2, Duration.ofMinutes(3));
        long pendingSeq = (Long) Queue.row(pending).get("seq");
        long waitingSeq = (Long) Queue.row(waiting).get("seq");

        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + failed + "/retry")
                .then().statusCode(200).body("status", equalTo("queued")).body("attempts", is(8))
                .body("completedAt", nullValue());
        Map<String, Object> row = Queue.row(failed);
        assertTrue((Long) row.get("seq") > waitingSeq, "behind what was pending: " + row.get("seq"));
        assertEquals(pendingSeq, Queue.row(pending).get("seq"));
        // A delivery waiting for its retry keeps its place.
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + waiting + "/retry").then().statusCode(200);
        assertEquals(waitingSeq, Queue.row(waiting).get("seq"));
        assertNotNull(Queue.row(waiting).get("due_at"));
    }

    private static void refused(Api.Tenant tenant, UUID delivery, String why) {
        Map<String, Object> row = Queue.row(delivery);
        given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + delivery + "/skip")
                .then().statusCode(409).contentType("application/problem+json").body("status", is(409))
                .body("detail", containsString(why));
        Map<String, Object> problem = Problems.msgpack(given().header("Authorization", tenant.bearer())
                .post("/v1/deliveries/" + delivery + "/skip.x-msgpack"), 409, "Conflict");
        assertTrue(((String) problem.get("detail")).contains(why), problem.toString());
        assertEquals(row, Queue.row(delivery), "a refused skip changes nothing: " + why);
    }

    private static UUID subscription(Api.Tenant tenant, String ordering) {
        return UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", "skip-" + ordering,
                "url", "https://receiver.example.com/skip", "events", List.of("s.kip"), "ordering", ordering)).get("id"));
    }
}

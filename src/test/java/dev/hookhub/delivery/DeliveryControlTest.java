package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery engine honours each subscription's delivery control (issue 20, README "Delivery control"):
 * pause holds deliveries unattempted and resume drains them in publish order; the rate limit spaces
 * attempts; maxInFlight bounds them; a throttling answer halves the pace, which recovers with time; an
 * ordered (fifo) subscription gets one attempt at a time in publish order, its head blocking the rest until
 * it succeeds or exhausts its retries. Real receivers on loopback; every wait polls with a deadline.
 */
@QuarkusTest
class DeliveryControlTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Pattern SEQUENCE = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");

    @Test
    void aPausedSubscriptionHoldsItsDeliveriesUnattemptedAndResumeDrainsThemInPublishOrder() {
        try (Receiver held = new Receiver(); Receiver other = new Receiver()) {
            Api.Tenant tenant = Api.tenant();
            UUID paused = subscribe(tenant, held, "control.pause", Map.of("maxInFlight", 1));
            subscribe(tenant, other, "control.pause", Map.of());
            pause(tenant, paused);

            publish(tenant, "control.pause", 6);
            // The other subscription of the same events got all six: the paused one had every chance.
            await().atMost(DEADLINE).until(() -> other.count() == 6);
            assertEquals(0, held.count(), "nothing attempted while paused");
            assertEquals(6, Database.count("select count(*) from delivery where subscription_id = ? and status = 'queued'"
                    + " and attempts = 0", paused), "held queued, no attempt counted");
            assertEquals(0, Database.count("select count(*) from delivery_attempt where subscription_id = ?", paused));

            resume(tenant, paused);
            await().atMost(DEADLINE).until(() -> held.count() == 6);
            assertEquals(List.of(1, 2, 3, 4, 5, 6), sequence(held));
            await().atMost(DEADLINE).until(() -> Database.count(
                    "select count(*) from delivery where subscription_id = ? and status = 'succeeded' and attempts = 1", paused) == 6);
        }
    }

    @Test
    void theRateLimitSpacesAttempts() {
        try (Receiver receiver = new Receiver()) {
            Api.Tenant tenant = Api.tenant();
            UUID id = subscribe(tenant, receiver, "control.rate", Map.of("rateLimit", 5));
            publish(tenant, "control.rate", 15);
            await().atMost(DEADLINE).until(() -> receiver.count() == 15);
            List<Instant> at = receiver.requests().stream().map(Receiver.Received::at).toList();
            // One second's worth at once, then one every 200 ms: 15 take at least (15 - 5) / 5 = 2 s.
            Duration span = Duration.between(at.get(0), at.get(at.size() - 1));
            assertTrue(span.compareTo(Duration.ofMillis(1700)) >= 0, "15 attempts at 5/s took " + span);
            for (int i = 0; i < at.size(); i++) {
                Instant from = at.get(i);
                long inWindow = at.stream().filter(t -> !t.isBefore(from) && t.isBefore(from.plusSeconds(1))).count();
                assertTrue(inWindow <= 10, inWindow + " attempts in the second from " + from + " at a limit of 5/s");
            }
            assertEquals(15, Database.count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'", id));
        }
    }

    @Test
    void maxInFlightBoundsTheAttemptsUnderWay() {
        try (Receiver receiver = new Receiver().delaying(Duration.ofMillis(300))) {
            Api.Tenant tenant = Api.tenant();
            subscribe(tenant, receiver, "control.bound", Map.of("maxInFlight", 2));
            publish(tenant, "control.bound", 8);
            await().atMost(DEADLINE).until(() -> receiver.count() == 8);
            assertEquals(2, receiver.maxConcurrent(), "two at a time, not one and not the default four");
        }
    }

    @Test
    void aThrottlingAnswerHalvesThePaceWhichRecoversWithTime() {
        try (Receiver receiver = new Receiver().always(429)) {
            Api.Tenant tenant = Api.tenant();
            UUID id = subscribe(tenant, receiver, "control.throttle", Map.of());
            publish(tenant, "control.throttle", 1);
            await().atMost(DEADLINE).until(() -> Database.count(
                    "select count(*) from subscription where id = ? and paced_at is not null", id) == 1);
            Map<String, Object> row = Database.query("select pace, claim_pace(s, 30) as now, claim_bound(s, 4, 30) as bound"
                    + " from subscription s where id = ?", id).get(0);
            assertEquals(0.5, ((Number) row.get("pace")).doubleValue(), 1e-6);
            assertTrue(((Number) row.get("now")).doubleValue() < 0.6, "recovering from 0.5: " + row);
            assertEquals(2, ((Number) row.get("bound")).intValue(), "half of four in flight");
            // Every 30 s (hookhub.delivery.pace-recovery) it doubles: a minute later it is whole again.
            Database.query("update subscription set paced_at = paced_at - interval '30 seconds' where id = ?", id);
            assertEquals(1.0, ((Number) Database.query("select claim_pace(s, 30) as p from subscription s where id = ?", id)
                    .get(0).get("p")).doubleValue(), 1e-6);
        }
    }

    @Test
    void risingLatencyHalvesThePace() {
        try (Receiver receiver = new Receiver().delaying(Duration.ofMillis(1100))) {
            Api.Tenant tenant = Api.tenant();
            UUID id = subscribe(tenant, receiver, "control.latency", Map.of());
            // Its moving average so far: 100 ms answers.
            Database.query("update subscription set latency_ms = 100 where id = ?", id);
            publish(tenant, "control.latency", 1);
            await().atMost(DEADLINE).until(() -> Database.count(
                    "select count(*) from subscription where id = ? and paced_at is not null", id) == 1);
            Map<String, Object> row = Database.query("select pace, latency_ms from subscription where id = ?", id).get(0);
            assertEquals(0.5, ((Number) row.get("pace")).doubleValue(), 1e-6);
            assertTrue(((Number) row.get("latency_ms")).doubleValue() > 100, "the average moved: " + row);
        }
    }

    @Test
    void anOrderedSubscriptionGetsOneAttemptAtATimeInPublishOrderAndItsHeadBlocksTheRest() {
        // The third event is answered 503 twice (two retries: the test schedule is 0.2 s, 0.4 s), then 204.
        try (Receiver receiver = new Receiver().delaying(Duration.ofMillis(20))) {
            receiver.answeringEach((n, r) -> Receiver.Answer.of(number(r) == 3 && failuresOf(receiver, 3) < 2 ? 503 : 204));
            Api.Tenant tenant = Api.tenant();
            UUID id = subscribe(tenant, receiver, "control.fifo", Map.of("ordering", "fifo", "maxInFlight", 4));
            publish(tenant, "control.fifo", 8);
            await().atMost(DEADLINE).until(() -> Database.count(
                    "select count(*) from delivery where subscription_id = ? and status = 'succeeded'", id) == 8);
            assertEquals(List.of(1, 2, 3, 3, 3, 4, 5, 6, 7, 8), sequence(receiver));
            assertEquals(1, receiver.maxConcurrent(), "one attempt at a time");
        }
    }

    @Test
    void anOrderedSubscriptionsHeadThatExhaustsItsRetriesLetsTheRestGo() {
        try (Receiver receiver = new Receiver()) {
            receiver.answeringEach((n, r) -> Receiver.Answer.of(number(r) == 2 ? 500 : 204));
            Api.Tenant tenant = Api.tenant();
            UUID id = subscribe(tenant, receiver, "control.exhaust", Map.of("ordering", "fifo"));
            publish(tenant, "control.exhaust", 4);
            await().atMost(DEADLINE).until(() -> Database.count(
                    "select count(*) from delivery where subscription_id = ? and status in ('succeeded', 'failed')", id) == 4);
            assertEquals(List.of(1, 2, 2, 2, 3, 4), sequence(receiver));
            assertEquals(1, Database.count("select count(*) from delivery where subscription_id = ? and status = 'failed'", id));
        }
    }

    @Test
    void aBlockedHeadHoldsTheRestUntilAnOperatorSkipsIt() {
        try (Receiver receiver = new Receiver()) {
            // Event 2 is answered 503 with an hour's Retry-After: the head waits an hour for its retry.
            receiver.answeringEach((n, r) -> number(r) == 2
                    ? new Receiver.Answer(503, Map.of("Retry-After", "3600")) : Receiver.Answer.of(204));
            Api.Tenant tenant = Api.tenant();
            UUID id = subscribe(tenant, receiver, "control.skip", Map.of("ordering", "fifo"));
            publish(tenant, "control.skip", 4);
            await().atMost(DEADLINE).until(() -> Database.count("select count(*) from delivery where subscription_id = ?"
                    + " and status = 'queued' and attempts = 1 and due_at > now() + interval '30 minutes'", id) == 1);
            assertEquals(List.of(1, 2), sequence(receiver), "nothing behind the blocked head");
            String head = String.valueOf(Database.query("select id from delivery where subscription_id = ? and status = 'queued'"
                    + " order by seq limit 1", id).get(0).get("id"));
            given().header("Authorization", tenant.bearer()).post("/v1/deliveries/" + head + "/skip")
                    .then().statusCode(200).body("status", org.hamcrest.Matchers.is("cancelled"));
            await().atMost(DEADLINE).until(() -> receiver.count() == 4);
            assertEquals(List.of(1, 2, 3, 4), sequence(receiver));
        }
    }

    @Test
    void thousandsOfPausedSubscriptionsWithHeldDeliveriesDoNotDelayTheOthers() {
        try (Receiver receiver = new Receiver()) {
            Api.Tenant tenant = Api.tenant();
            UUID healthy = subscribe(tenant, receiver, "control.crowd", Map.of());
            // 5,000 paused subscriptions of another org, one held delivery each: more than 16 claims of claim-visits
            // (256) subscriptions each, the worker's round before its poll takes over.
            Api.Tenant crowd = Api.tenant();
            Database.query("""
                    insert into subscription (id, org_id, name, url, events, content_type, headers, active, version,
                                              created_at, created_by, modified_at, modified_by, paused_at)
                    select gen_random_uuid(), ?, 'paused-' || g, 'http://127.0.0.1:9/p', '{control.paused}',
                           'application/json', '{}', true, 1, now(), 't', now(), 't', now()
                      from generate_series(1, 5000) g""", crowd.orgId());
            Database.query("insert into event (id, org_id, type, payload, payload_format) values (gen_random_uuid(), ?,"
                    + " 'control.paused', '\\x7b7d'::bytea, 'json')", crowd.orgId());
            Database.query("""
                    insert into delivery (id, event_id, subscription_id, org_id, status)
                    select gen_random_uuid(), e.id, s.id, s.org_id, 'queued'
                      from subscription s, event e where s.org_id = ? and e.org_id = s.org_id""", crowd.orgId());
            try {
                for (int n = 1; n <= 5; n++) {
                    Instant published = Instant.now();
                    publish(tenant, "control.crowd", n, n);
                    int expected = n;
                    await().atMost(DEADLINE).until(() -> receiver.count() >= expected);
                    Duration took = Duration.between(published, receiver.requests().get(n - 1).at());
                    assertTrue(took.compareTo(Duration.ofSeconds(1)) <= 0, "event " + n + " first attempted after " + took);
                }
                assertEquals(5000, Database.count("select count(*) from delivery where org_id = ? and status = 'queued'"
                        + " and attempts = 0", crowd.orgId()), "the paused ones' deliveries stay held");
            } finally {
                Database.query("delete from subscription where org_id = ?", crowd.orgId());
            }
            assertEquals(5, Database.count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                    healthy));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** A subscription of the type to the receiver, created with these delivery-control fields through /v1. */
    private static UUID subscribe(Api.Tenant tenant, Receiver receiver, String type, Map<String, Object> control) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", type, "url", receiver.url("/" + type),
                "events", List.of(type)));
        body.putAll(control);
        Map<String, Object> created = Api.createSubscription(tenant, body);
        control.forEach((field, value) -> assertEquals(value, created.get(field), field));
        return UUID.fromString((String) created.get("id"));
    }

    private static void pause(Api.Tenant tenant, UUID id) {
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/pause")
                .then().statusCode(200).body("paused", org.hamcrest.Matchers.is(true));
    }

    private static void resume(Api.Tenant tenant, UUID id) {
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/resume")
                .then().statusCode(200).body("paused", org.hamcrest.Matchers.is(false));
    }

    /** Publishes events 1..count of the type one after another, each answered before the next. */
    private static void publish(Api.Tenant tenant, String type, int count) {
        publish(tenant, type, 1, count);
    }

    /** Publishes events first..last of the type one after another, each answered before the next. */
    private static void publish(Api.Tenant tenant, String type, int first, int last) {
        for (int n = first; n <= last; n++) {
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", type, "payload", Map.of("n", n)))
                    .post("/v1/events").then().statusCode(202);
        }
    }

    /** The event numbers of the requests, in the order they arrived. */
    private static List<Integer> sequence(Receiver receiver) {
        List<Integer> numbers = new ArrayList<>();
        receiver.requests().forEach(r -> numbers.add(number(r)));
        return numbers;
    }

    private static int number(Receiver.Received request) {
        Matcher m = SEQUENCE.matcher(new String(request.body(), StandardCharsets.UTF_8));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Requests for event n before the one being answered (they were all answered 503 until two of them were). */
    private static long failuresOf(Receiver receiver, int n) {
        return receiver.requests().stream().filter(r -> number(r) == n).count() - 1;
    }
}

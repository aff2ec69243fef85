package dev.hookhub.api.v1;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import dev.hookhub.support.Queue;
import dev.hookhub.support.WorkerOff;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery control in /v1 (README, "Delivery control"): the subscription's control fields, pause and resume,
 * and recover (bulk retry), as a client sees them in JSON and MessagePack, and the database after every answer.
 * No worker runs here, so the queue holds exactly what the tests and the requests wrote.
 */
@QuarkusTest
@TestProfile(WorkerOff.class)
class SubscriptionControlTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
    private static final String MSGPACK = "application/x-msgpack";

    @Test
    void controlFieldsRoundTripInJsonAndMessagePack() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> body = new HashMap<>(Api.subscriptionBody("controlled"));
        body.putAll(Map.of("rateLimit", 50, "maxInFlight", 8, "ordering", "fifo"));
        JsonPath created = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/subscriptions").then().statusCode(201)
                .body("paused", is(false)).body("pausedAt", nullValue())
                .body("rateLimit", is(50)).body("maxInFlight", is(8)).body("ordering", equalTo("fifo"))
                .body("pace", is(1.0f)).body("$", not(hasKey("held")))
                .extract().jsonPath();
        UUID id = UUID.fromString(created.getString("id"));
        Map<String, Object> row = subscriptionRow(id);
        assertEquals(50, row.get("rate_limit"));
        assertEquals(8, row.get("max_in_flight"));
        assertEquals("fifo", row.get("ordering"));
        assertNull(row.get("paused_at"));

        Api.getSubscription(tenant, id).then().statusCode(200)
                .body("paused", is(false)).body("pausedAt", nullValue()).body("rateLimit", is(50))
                .body("maxInFlight", is(8)).body("ordering", equalTo("fifo")).body("pace", is(1.0f)).body("held", is(0));

        // MessagePack, by Accept, by ?format= and by the path suffix: the same fields with their MessagePack types.
        for (Response answer : List.of(
                given().header("Authorization", tenant.bearer()).accept(MSGPACK).get("/v1/subscriptions/" + id),
                given().header("Authorization", tenant.bearer()).queryParam("format", "x-msgpack").get("/v1/subscriptions/" + id),
                given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + id + ".x-msgpack"))) {
            answer.then().statusCode(200).contentType(MSGPACK);
            Map<String, Object> view = Msgpack.decodeMap(answer.asByteArray());
            assertEquals(false, view.get("paused"));
            assertTrue(view.containsKey("pausedAt"));
            assertNull(view.get("pausedAt"));
            assertEquals(50L, view.get("rateLimit"));
            assertEquals(8L, view.get("maxInFlight"));
            assertEquals("fifo", view.get("ordering"));
            assertEquals(1.0, (Double) view.get("pace"));
            assertEquals(0L, view.get("held"));
        }

        // Defaults: no rate limit, the instance's in-flight bound (4 unless configured), unordered.
        UUID plain = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        Api.getSubscription(tenant, plain).then().statusCode(200)
                .body("rateLimit", nullValue()).body("$", hasKey("rateLimit"))
                .body("maxInFlight", is(4)).body("ordering", equalTo("none")).body("paused", is(false));
        Map<String, Object> plainRow = subscriptionRow(plain);
        assertNull(plainRow.get("rate_limit"));
        assertNull(plainRow.get("max_in_flight"), "the default is not written into the row");
        assertEquals("none", plainRow.get("ordering"));

        // Lists carry the fields but not the held count.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200)
                .body("items.ordering", equalTo(List.of("fifo", "none")))
                .body("items.maxInFlight", equalTo(List.of(8, 4)))
                .body("items", everyItem(not(hasKey("held"))))
                .body("items", everyItem(hasKey("pace")));

        // PATCH in MessagePack: given fields change, the others stay; version + 1.
        byte[] patch = Msgpack.encode(Map.of("rateLimit", 100));
        Response patched = given().header("Authorization", tenant.bearer()).contentType(MSGPACK).accept(MSGPACK)
                .body(patch).patch("/v1/subscriptions/" + id);
        patched.then().statusCode(200).contentType(MSGPACK);
        Map<String, Object> view = Msgpack.decodeMap(patched.asByteArray());
        assertEquals(100L, view.get("rateLimit"));
        assertEquals(8L, view.get("maxInFlight"));
        assertEquals("fifo", view.get("ordering"));
        assertEquals(2L, view.get("version"));
        assertEquals(100, subscriptionRow(id).get("rate_limit"));

        // null clears rateLimit and maxInFlight (absent leaves them); ordering back to none.
        Map<String, Object> clear = new HashMap<>();
        clear.put("rateLimit", null);
        clear.put("maxInFlight", null);
        clear.put("ordering", "none");
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(clear)
                .patch("/v1/subscriptions/" + id).then().statusCode(200)
                .body("rateLimit", nullValue()).body("maxInFlight", is(4)).body("ordering", equalTo("none"))
                .body("version", is(3));
        row = subscriptionRow(id);
        assertNull(row.get("rate_limit"));
        assertNull(row.get("max_in_flight"));
        assertEquals("none", row.get("ordering"));
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("name", "renamed"))
                .patch("/v1/subscriptions/" + id).then().statusCode(200).body("rateLimit", nullValue()).body("version", is(4));
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("rateLimit", 10000, "maxInFlight", 1)).patch("/v1/subscriptions/" + id).then().statusCode(200)
                .body("rateLimit", is(10000)).body("maxInFlight", is(1));
    }

    @Test
    void paceIsTheAdaptivePaceNowRecoveringFromWhenItWasSet() {
        Api.Tenant tenant = Api.tenant();
        UUID id = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        Database.query("update subscription set pace = 0.25, paced_at = now() where id = ?", id);
        float fresh = Api.getSubscription(tenant, id).then().statusCode(200).extract().path("pace");
        assertTrue(fresh >= 0.25f && fresh < 0.3f, "just set: " + fresh);
        // One recovery period (30 s) ago: doubled once.
        Database.query("update subscription set pace = 0.25, paced_at = now() - interval '30 seconds' where id = ?", id);
        float once = Api.getSubscription(tenant, id).then().statusCode(200).extract().path("pace");
        assertTrue(once >= 0.5f && once < 0.56f, "a period ago: " + once);
        // Long ago: whole again, never more.
        Database.query("update subscription set pace = 0.25, paced_at = now() - interval '1 hour' where id = ?", id);
        Api.getSubscription(tenant, id).then().statusCode(200).body("pace", is(1.0f));
        // The same formula as the claim's (claim_pace, V18).
        Database.query("update subscription set pace = 0.125, paced_at = now() - interval '45 seconds' where id = ?", id);
        double shown = ((Number) given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + id)
                .then().extract().path("pace")).doubleValue();
        double claim = ((Number) Database.query("select claim_pace(s, 30) as p from subscription s where s.id = ?", id)
                .get(0).get("p")).doubleValue();
        assertEquals(claim, shown, 0.01);
    }

    @Test
    void badControlValuesAreA400NamingTheFieldAndChangeNothing() {
        Api.Tenant tenant = Api.tenant();
        UUID id = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        Map<String, Object> before = subscriptionRow(id);
        long subscriptions = Database.count("select count(*) from subscription where org_id = ?", tenant.orgId());
        List<Map.Entry<String, Object>> bad = List.of(
                Map.entry("rateLimit", 0), Map.entry("rateLimit", -1), Map.entry("rateLimit", 10001),
                Map.entry("rateLimit", 1.5), Map.entry("rateLimit", "5"), Map.entry("rateLimit", true),
                Map.entry("rateLimit", List.of(5)), Map.entry("rateLimit", 99999999999999L),
                Map.entry("maxInFlight", 0), Map.entry("maxInFlight", -3), Map.entry("maxInFlight", 1001),
                Map.entry("maxInFlight", 2.5), Map.entry("maxInFlight", "x"),
                Map.entry("ordering", "FIFO"), Map.entry("ordering", "lifo"), Map.entry("ordering", ""),
                Map.entry("ordering", 5));
        for (Map.Entry<String, Object> value : bad) {
            String what = value.getKey() + "=" + value.getValue();
            Map<String, Object> body = new HashMap<>(Api.subscriptionBody("bad"));
            body.put(value.getKey(), value.getValue());
            long started = System.nanoTime();
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                    .post("/v1/subscriptions").then().statusCode(400).contentType("application/problem+json")
                    .body("status", is(400)).body("errors[0].field", equalTo(value.getKey()))
                    .body("detail", containsString(value.getKey()));
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of(value.getKey(), value.getValue(), "name", "changed"))
                    .patch("/v1/subscriptions/" + id).then().statusCode(400)
                    .body("errors[0].field", equalTo(value.getKey()));
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 2000, "fast: " + what);
            assertEquals(before, subscriptionRow(id), "a refused PATCH changes nothing: " + what);
        }
        assertEquals(subscriptions, Database.count("select count(*) from subscription where org_id = ?", tenant.orgId()),
                "a refused create stores nothing");

        // The same in MessagePack, answered in MessagePack.
        Response refused = given().header("Authorization", tenant.bearer()).contentType(MSGPACK).accept(MSGPACK)
                .body(Msgpack.encode(Map.of("rateLimit", 2.5))).patch("/v1/subscriptions/" + id);
        Map<String, Object> problem = Problems.msgpack(refused, 400, "Bad Request");
        assertTrue(((String) problem.get("detail")).contains("rateLimit"), problem.toString());
        assertEquals("rateLimit", ((Map<?, ?>) ((List<?>) problem.get("errors")).get(0)).get("field"));
        assertEquals(before, subscriptionRow(id));
    }

    @Test
    void pauseAndResumeAreIdempotentAuditedAndResumeShiftsTheFailingClock() {
        Api.Tenant tenant = Api.tenant();
        UUID id = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        UUID event = Queue.event(tenant.orgId(), "order.created", Duration.ofMinutes(5));
        Queue.delivery(tenant.orgId(), id, event, "queued", 0, Duration.ofMinutes(5));
        Queue.delivery(tenant.orgId(), id, event, "queued", 2, Duration.ofMinutes(5));
        Queue.delivery(tenant.orgId(), id, event, "succeeded", 1, Duration.ofMinutes(5));
        List<Map<String, Object>> queue = Queue.rows(id);

        JsonPath paused = given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/pause")
                .then().statusCode(200).contentType(ContentType.JSON).header("Vary", "Accept")
                .body("id", equalTo(id.toString())).body("paused", is(true)).body("pausedAt", matchesPattern(ISO_UTC))
                .body("held", is(2)).body("version", is(1)).body("ordering", equalTo("none"))
                .extract().jsonPath();
        Instant pausedAt = Database.subscriptionTime(id, "paused_at");
        assertNotNull(pausedAt);
        assertEquals(pausedAt, Instant.parse(paused.getString("pausedAt")));
        assertEquals(1, audits(id, "subscription.pause"));

        // Again: the same state, the first pausedAt, no second record. In MessagePack, pausedAt is a timestamp.
        Response again = given().header("Authorization", tenant.bearer()).accept(MSGPACK)
                .post("/v1/subscriptions/" + id + "/pause");
        again.then().statusCode(200).contentType(MSGPACK);
        Map<String, Object> view = Msgpack.decodeMap(again.asByteArray());
        assertEquals(true, view.get("paused"));
        assertEquals(pausedAt, view.get("pausedAt"));
        assertEquals(2L, view.get("held"));
        assertEquals(pausedAt, Database.subscriptionTime(id, "paused_at"));
        assertEquals(1, audits(id, "subscription.pause"));
        assertEquals(queue, Queue.rows(id), "pausing holds the queue as it is");
        Api.getSubscription(tenant, id).then().body("paused", is(true)).body("held", is(2));

        // Paused two hours while failing since three hours ago: resuming moves failingSince two hours on.
        Database.query("update subscription set paused_at = now() - interval '2 hours',"
                + " failing_since = now() - interval '3 hours' where id = ?", id);
        Instant failingBefore = Database.subscriptionTime(id, "failing_since");
        Instant pausedBefore = Database.subscriptionTime(id, "paused_at");
        Instant asked = Instant.now();
        given().header("Authorization", tenant.bearer()).queryParam("format", "json")
                .post("/v1/subscriptions/" + id + "/resume").then().statusCode(200)
                .body("paused", is(false)).body("pausedAt", nullValue()).body("held", is(2));
        Instant answered = Instant.now();
        assertNull(Database.subscriptionTime(id, "paused_at"));
        Instant failingAfter = Database.subscriptionTime(id, "failing_since");
        Duration shift = Duration.between(failingBefore, failingAfter);
        assertTrue(shift.compareTo(Duration.between(pausedBefore, asked).minusSeconds(1)) >= 0
                && shift.compareTo(Duration.between(pausedBefore, answered).plusSeconds(1)) <= 0, "shifted by " + shift);
        assertEquals(1, audits(id, "subscription.resume"));
        assertEquals(queue, Queue.rows(id), "resuming leaves the rows to the workers");

        // Resuming again changes nothing and records nothing.
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/resume").then().statusCode(200)
                .body("paused", is(false));
        assertEquals(failingAfter, Database.subscriptionTime(id, "failing_since"));
        assertEquals(1, audits(id, "subscription.resume"));

        // A run of failures that began during the pause restarts at the resume, never in the future.
        Database.query("update subscription set paused_at = now() - interval '1 hour',"
                + " failing_since = now() - interval '10 minutes' where id = ?", id);
        Instant resumeAsked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/resume").then().statusCode(200);
        Instant restarted = Database.subscriptionTime(id, "failing_since");
        assertFalse(restarted.isBefore(resumeAsked.minusSeconds(1)), restarted.toString());
        assertFalse(restarted.isAfter(Instant.now().plusSeconds(1)), restarted.toString());

        // Never failing: failingSince stays null.
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/pause").then().statusCode(200);
        Database.query("update subscription set failing_since = null where id = ?", id);
        given().header("Authorization", tenant.bearer()).post("/v1/subscriptions/" + id + "/resume").then().statusCode(200);
        assertNull(Database.subscriptionTime(id, "failing_since"));
        assertEquals(2, audits(id, "subscription.pause"));
        assertEquals(3, audits(id, "subscription.resume"));
    }

    @Test
    void pauseResumeAndRecoverAreWritesOfTheOwnOrgOnLiveSubscriptions() {
        Api.Tenant tenant = Api.tenant();
        UUID id = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        UUID gone = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + gone).then().statusCode(204);
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        Api.Tenant dispatcher = Api.client(tenant.orgId(), tenant.number(), List.of("Dispatcher"));
        Api.Tenant other = Api.tenant();
        Map<String, Object> recover = Map.of("since", Instant.now().minusSeconds(3600).toString());
        for (String action : List.of("pause", "resume", "recover")) {
            String path = "/v1/subscriptions/" + id + "/" + action;
            given().contentType(ContentType.JSON).body(recover).post(path).then().statusCode(401);
            given().header("Authorization", viewer.bearer()).contentType(ContentType.JSON).body(recover).post(path)
                    .then().statusCode(403).body("status", is(403));
            given().header("Authorization", other.bearer()).contentType(ContentType.JSON).body(recover).post(path)
                    .then().statusCode(404).contentType("application/problem+json").body("detail", containsString(id.toString()));
            Problems.msgpack(given().header("Authorization", other.bearer()).contentType(ContentType.JSON).body(recover)
                    .accept(MSGPACK).post(path), 404, "Not Found");
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(recover)
                    .post("/v1/subscriptions/" + UUID.randomUUID() + "/" + action).then().statusCode(404);
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(recover)
                    .post("/v1/subscriptions/" + gone + "/" + action).then().statusCode(404);
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(recover)
                    .post("/v1/subscriptions/not-a-uuid/" + action).then().statusCode(400).body("detail", containsString("id"));
        }
        assertNull(Database.subscriptionTime(id, "paused_at"), "refused pauses change nothing");
        assertEquals(0, Database.count("select count(*) from audit where subscription_id in (?, ?) and action like 'subscription.%'"
                + " and action not in ('subscription.create', 'subscription.delete')", id, gone));
        // A Dispatcher may, as it may edit.
        given().header("Authorization", dispatcher.bearer()).post("/v1/subscriptions/" + id + "/pause").then().statusCode(200)
                .body("paused", is(true));
    }

    @Test
    void recoverRequeuesExactlyTheFailedDeliveriesOfTheWindow() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> body = new HashMap<>(Map.of("name", "fifo", "url", "https://receiver.example.com/r",
                "events", List.of("a.x", "a.y"), "ordering", "fifo"));
        UUID sub = UUID.fromString((String) Api.createSubscription(tenant, body).get("id"));
        UUID sibling = UUID.fromString((String) Api.createSubscription(tenant, body).get("id"));
        UUID org = tenant.orgId();
        Duration twoHours = Duration.ofHours(2);
        UUID x = Queue.event(org, "a.x", twoHours);
        UUID y = Queue.event(org, "a.y", twoHours);
        UUID erased = Queue.event(org, "a.x", twoHours);
        Database.query("update event set erased_at = now(), payload = null where id = ?", erased);
        UUID old = Queue.event(org, "a.x", Duration.ofHours(5));

        UUID failed = Queue.delivery(org, sub, x, "failed", 3, twoHours);
        UUID waiting = Queue.delivery(org, sub, x, "queued", 1, twoHours);
        UUID neverTried = Queue.delivery(org, sub, x, "queued", 0, twoHours);
        UUID succeeded = Queue.delivery(org, sub, x, "succeeded", 1, twoHours);
        UUID cancelled = Queue.delivery(org, sub, x, "cancelled", 1, twoHours);
        UUID inFlight = Queue.delivery(org, sub, x, "in_flight", 2, twoHours);
        UUID otherType = Queue.delivery(org, sub, y, "failed", 3, twoHours);
        UUID ofErased = Queue.delivery(org, sub, erased, "failed", 3, twoHours);
        UUID tooOld = Queue.delivery(org, sub, old, "failed", 3, Duration.ofHours(5));
        UUID ofSibling = Queue.delivery(org, sibling, x, "failed", 3, twoHours);
        Map<UUID, Map<String, Object>> before = new HashMap<>();
        for (UUID d : List.of(failed, waiting, neverTried, succeeded, cancelled, inFlight, otherType, ofErased, tooOld,
                ofSibling)) {
            before.put(d, Queue.row(d));
        }

        Instant since = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
        Instant until = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        Instant asked = Instant.now().minusSeconds(1);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("since", since.toString(), "until", until.toString(), "eventTypes", List.of("a.x", "no.such")))
                .post("/v1/subscriptions/" + sub + "/recover").then().statusCode(200).contentType(ContentType.JSON)
                .header("Vary", "Accept")
                .body("requeued", is(2)).body("since", equalTo(since.toString())).body("until", equalTo(until.toString()));

        // The failed one: queued, due now, its attempts kept, and at the tail of the publish order.
        Map<String, Object> requeued = Queue.row(failed);
        assertEquals("queued", requeued.get("status"));
        assertEquals(3, requeued.get("attempts"));
        assertNull(requeued.get("completed_at"));
        assertFalse(((Timestamp) requeued.get("due_at")).toInstant().isBefore(asked), "due now");
        long maxPendingBefore = (Long) before.get(neverTried).get("seq");
        assertTrue((Long) requeued.get("seq") > maxPendingBefore, "after what was pending: " + requeued.get("seq"));
        // The waiting one: due now, in its place.
        Map<String, Object> due = Queue.row(waiting);
        assertEquals("queued", due.get("status"));
        assertEquals(1, due.get("attempts"));
        assertFalse(((Timestamp) due.get("due_at")).toInstant().isBefore(asked));
        assertEquals(before.get(waiting).get("seq"), due.get("seq"));
        // Everything else as it was.
        for (UUID d : List.of(neverTried, succeeded, cancelled, inFlight, otherType, ofErased, tooOld, ofSibling)) {
            assertEquals(before.get(d), Queue.row(d), "untouched: " + d);
        }
        List<Map<String, Object>> records = Database.query("select target, actor, surface from audit"
                + " where subscription_id = ? and action = 'subscription.recover'", sub);
        assertEquals(1, records.size());
        assertEquals("2", records.get(0).get("target"));
        assertEquals("client:" + tenant.clientId(), records.get(0).get("actor"));

        // Every type, until now (its default), in MessagePack with a MessagePack timestamp: the other type's failed
        // one, and the two queued after a failed attempt again (each once; the first keeps its new place).
        long seqOfFailed = (Long) requeued.get("seq");
        Instant beforeCall = Instant.now().minusSeconds(1);
        Response all = given().header("Authorization", tenant.bearer()).contentType(MSGPACK).accept(MSGPACK)
                .body(Msgpack.encode(Map.of("since", since))).post("/v1/subscriptions/" + sub + "/recover");
        all.then().statusCode(200).contentType(MSGPACK);
        Map<String, Object> answer = Msgpack.decodeMap(all.asByteArray());
        assertEquals(3L, answer.get("requeued"));
        assertEquals(since, answer.get("since"));
        Instant defaultUntil = (Instant) answer.get("until");
        assertFalse(defaultUntil.isBefore(beforeCall), "until defaults to now: " + defaultUntil);
        assertEquals("queued", Queue.row(otherType).get("status"));
        assertEquals(seqOfFailed, Queue.row(failed).get("seq"));
        for (UUID d : List.of(neverTried, succeeded, cancelled, inFlight, ofErased, tooOld, ofSibling)) {
            assertEquals(before.get(d), Queue.row(d), "untouched: " + d);
        }
        assertEquals(2, audits(sub, "subscription.recover"));

        // An until past what four-digit years write (PostgreSQL's range ends in 294276) is refused, naming until.
        for (String far : List.of("+294277-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z")) {
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("since", since.toString(), "until", far)).post("/v1/subscriptions/" + sub + "/recover")
                    .then().statusCode(400).body("detail", containsString("until"));
        }
        assertEquals(2, audits(sub, "subscription.recover"), "refused: nothing recorded");
    }

    @Test
    void recoverRefusesBadInputAndInactiveSubscriptionsAndChangesNothing() {
        Api.Tenant tenant = Api.tenant();
        UUID sub = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        UUID event = Queue.event(tenant.orgId(), "order.created", Duration.ofHours(1));
        UUID failed = Queue.delivery(tenant.orgId(), sub, event, "failed", 8, Duration.ofHours(1));
        Map<String, Object> row = Queue.row(failed);
        String since = Instant.now().minus(Duration.ofHours(2)).toString();
        String path = "/v1/subscriptions/" + sub + "/recover";

        record Case(Object body, String field) {
        }
        List<Case> cases = List.of(
                new Case(Map.of(), "since"),
                new Case(Map.of("until", Instant.now().toString()), "since"),
                new Case(Map.of("since", "yesterday"), "since"),
                new Case(Map.of("since", "2026-13-45T00:00:00Z"), "since"),
                new Case(Map.of("since", 1700000000), "since"),
                new Case(Map.of("since", since, "until", "soon"), "until"),
                new Case(Map.of("since", since, "until", Instant.now().minus(Duration.ofHours(3)).toString()), "until"),
                new Case(Map.of("since", since, "until", since), "until"),
                new Case(Map.of("since", Instant.now().minus(Duration.ofDays(31)).toString()), "since"),
                new Case(Map.of("since", since, "eventTypes", "order.created"), "eventTypes"),
                new Case(Map.of("since", since, "eventTypes", Map.of("a", 1)), "eventTypes"),
                new Case(Map.of("since", since, "eventTypes", List.of()), "eventTypes"),
                new Case(Map.of("since", since, "eventTypes", List.of(1)), "eventTypes[0]"));
        for (Case c : cases) {
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(c.body()).post(path)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo(c.field())).body("detail", containsString(c.field()));
        }
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).post(path)
                .then().statusCode(400).body("detail", containsString("body"));
        Problems.msgpack(given().header("Authorization", tenant.bearer()).contentType(MSGPACK).accept(MSGPACK)
                .body(Msgpack.encode(Map.of("since", "not a time"))).post(path), 400, "Bad Request");
        assertEquals(row, Queue.row(failed), "refused recoveries change nothing");

        // Inactive: nothing would be attempted, so 409, and nothing is re-queued.
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch("/v1/subscriptions/" + sub).then().statusCode(200);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("since", since))
                .post(path).then().statusCode(409).contentType("application/problem+json").body("status", is(409))
                .body("detail", containsString("inactive"));
        assertEquals(row, Queue.row(failed));
        assertEquals(0, audits(sub, "subscription.recover"));

        // Active again: the one failed delivery comes back, with one more attempt to go.
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("active", true))
                .patch("/v1/subscriptions/" + sub).then().statusCode(200);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("since", since))
                .post(path).then().statusCode(200).body("requeued", is(1));
        assertEquals("queued", Queue.row(failed).get("status"));
        assertEquals(8, Queue.row(failed).get("attempts"));
    }

    @Test
    void theOpenApiDocumentListsTheRoutesAndFields() {
        JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        for (String path : List.of("/v1/subscriptions/{id}/pause", "/v1/subscriptions/{id}/resume",
                "/v1/subscriptions/{id}/recover", "/v1/deliveries/{id}/skip")) {
            assertNotNull(doc.get("paths.'" + path + "'.post"), path);
        }
        Map<String, Object> view = doc.getMap("components.schemas.SubscriptionView.properties");
        for (String field : List.of("paused", "pausedAt", "rateLimit", "maxInFlight", "ordering", "pace", "held")) {
            assertTrue(view.containsKey(field), "SubscriptionView." + field);
        }
        Map<String, Object> input = doc.getMap("components.schemas.SubscriptionInput.properties");
        for (String field : List.of("rateLimit", "maxInFlight", "ordering")) {
            assertTrue(input.containsKey(field), "SubscriptionInput." + field);
        }
        // Read as any value (to refuse fractions rather than truncate them), documented as what they are.
        for (String field : List.of("rateLimit", "maxInFlight")) {
            assertEquals(List.of("integer", "null"), doc.getList("components.schemas.SubscriptionInput.properties." + field + ".type"));
        }
        assertEquals(List.of("none", "fifo"), doc.getList("components.schemas.SubscriptionInput.properties.ordering.enum"));
        assertEquals(List.of("since"), doc.getList("components.schemas.RecoverInput.required"));
        assertEquals("#/components/schemas/Instant", doc.getString("components.schemas.RecoverInput.properties.since.$ref"));
        assertEquals("date-time", doc.getString("components.schemas.Instant.format"));
        Map<String, Object> recover = doc.getMap("components.schemas.RecoverInput.properties");
        for (String field : List.of("since", "until", "eventTypes")) {
            assertTrue(recover.containsKey(field), "RecoverInput." + field);
        }
        assertTrue(doc.getMap("components.schemas.Recovered.properties").containsKey("requeued"));
    }

    private static Map<String, Object> subscriptionRow(UUID id) {
        return Database.query("select version, name, rate_limit, max_in_flight, ordering, paused_at, modified_at"
                + " from subscription where id = ?", id).get(0);
    }

    private static long audits(UUID subscriptionId, String action) {
        return Database.count("select count(*) from audit where subscription_id = ? and action = ?", subscriptionId, action);
    }
}

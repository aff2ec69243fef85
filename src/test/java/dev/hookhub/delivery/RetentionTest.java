package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention for every table (README, "Retention"), with the defaults: events, finished deliveries, attempts and
 * tombstones 30 days, audit records 400 days. Old rows are inserted with SQL rather than waited for; other
 * tests' rows may be purged meanwhile, so counts in answers are at least this test's, and the database is
 * asked about this test's rows by id.
 */
@QuarkusTest
class RetentionTest {

    private static final String PURGE = "/v1/admin/retention/purge";
    private static final String ADMIN = "Bearer " + Api.ADMIN_TOKEN;

    @Inject
    RetentionPurge purge;

    @Test
    void theAdminRoutePurgesEveryTablePastItsRetentionAndKeepsTheRest() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        // Inactive: no worker claims the queued deliveries below, which stay queued as long as the test needs.
        UUID subscription = inactiveSubscription(tenant);
        UUID otherSubscription = inactiveSubscription(other);

        // Events: past 30 days and finished, erased, or held by a delivery that is queued or in flight.
        UUID oldEvent = event(tenant.orgId(), "31 days", false);
        UUID oldEventDelivery = delivery(oldEvent, subscription, tenant.orgId(), "succeeded", "31 days");
        UUID oldEventYoungDelivery = delivery(oldEvent, subscription, tenant.orgId(), "failed", "1 day");
        UUID erasedEvent = event(tenant.orgId(), "31 days", true);
        UUID queuedEvent = event(tenant.orgId(), "40 days", false);
        UUID queuedDelivery = delivery(queuedEvent, subscription, tenant.orgId(), "queued", null);
        UUID inFlightEvent = event(tenant.orgId(), "40 days", false);
        UUID inFlightDelivery = delivery(inFlightEvent, subscription, tenant.orgId(), "in_flight", null);
        UUID youngEvent = event(tenant.orgId(), "29 days", false);
        UUID otherYoungEvent = event(other.orgId(), "29 days", false);
        // Finished deliveries of a young event: by their completion time, whatever their end.
        UUID succeededOld = delivery(youngEvent, subscription, tenant.orgId(), "succeeded", "31 days");
        UUID failedOld = delivery(youngEvent, subscription, tenant.orgId(), "failed", "30 days 1 hour");
        UUID cancelledOld = delivery(youngEvent, subscription, tenant.orgId(), "cancelled", "45 days");
        UUID succeededYoung = delivery(youngEvent, subscription, tenant.orgId(), "succeeded", "29 days");
        UUID otherSucceededYoung = delivery(otherYoungEvent, otherSubscription, other.orgId(), "succeeded", "29 days");
        // Attempts.
        UUID oldAttempt = attempt(subscription, tenant.orgId(), "31 days");
        UUID youngAttempt = attempt(subscription, tenant.orgId(), "29 days");
        UUID otherYoungAttempt = attempt(otherSubscription, other.orgId(), "29 days");
        // Tombstones.
        UUID oldTomb = deletedSubscription(tenant, "31 days");
        UUID youngTomb = deletedSubscription(tenant, "29 days");
        // Audit records (the deletes above wrote two more, of now).
        long oldAudit = audit(tenant.orgId(), "401 days");
        long youngAudit = audit(tenant.orgId(), "399 days");
        long otherYoungAudit = audit(other.orgId(), "399 days");

        try {
            Response answer = given().header("Authorization", ADMIN).post(PURGE);
            answer.then().statusCode(200).contentType("application/json")
                    .body("removed.events", instanceOf(Integer.class)).body("removed.events", greaterThanOrEqualTo(2))
                    .body("removed.deliveries", instanceOf(Integer.class)).body("removed.deliveries", greaterThanOrEqualTo(3))
                    .body("removed.attempts", instanceOf(Integer.class)).body("removed.attempts", greaterThanOrEqualTo(1))
                    .body("removed.tombstones", instanceOf(Integer.class)).body("removed.tombstones", greaterThanOrEqualTo(1))
                    .body("removed.auditRecords", instanceOf(Integer.class)).body("removed.auditRecords", greaterThanOrEqualTo(1))
                    .body("elapsedMs", instanceOf(Integer.class)).body("elapsedMs", greaterThanOrEqualTo(0));
            Map<String, Object> body = answer.jsonPath().getMap("$");
            assertEquals(List.of("removed", "elapsedMs"), List.copyOf(body.keySet()));
            assertEquals(List.of("events", "deliveries", "attempts", "tombstones", "auditRecords"),
                    List.copyOf(answer.jsonPath().getMap("removed").keySet()));

            // Gone: the old finished and the erased event, the old event's deliveries (with it, however young),
            // the deliveries that finished over 30 days ago, the old attempt, tombstone and audit record.
            assertEquals(0, Database.count("select count(*) from event where id in (?, ?)", oldEvent, erasedEvent));
            assertEquals(0, Database.count("select count(*) from delivery where id in (?, ?, ?, ?, ?)", oldEventDelivery,
                    oldEventYoungDelivery, succeededOld, failedOld, cancelledOld));
            assertEquals(0, Database.count("select count(*) from delivery_attempt where id = ?", oldAttempt));
            assertEquals(0, Database.count("select count(*) from subscription where id = ?", oldTomb));
            assertEquals(0, Database.count("select count(*) from audit where id = ?", oldAudit));
            // Kept: events a delivery waits on, younger events (this org's and another's), younger rows of every table.
            assertEquals(4, Database.count("select count(*) from event where id in (?, ?, ?, ?)", queuedEvent,
                    inFlightEvent, youngEvent, otherYoungEvent));
            assertEquals(4, Database.count("select count(*) from delivery where id in (?, ?, ?, ?)", queuedDelivery,
                    inFlightDelivery, succeededYoung, otherSucceededYoung));
            assertEquals(List.of("queued", "in_flight"), List.of(status(queuedDelivery), status(inFlightDelivery)));
            assertEquals(2, Database.count("select count(*) from delivery_attempt where id in (?, ?)", youngAttempt,
                    otherYoungAttempt));
            assertEquals(2, Database.count("select count(*) from subscription where id in (?, ?)", youngTomb, subscription));
            assertEquals(2, Database.count("select count(*) from audit where id in (?, ?)", youngAudit, otherYoungAudit));
            assertEquals(2, Database.count("select count(*) from audit where subscription_id in (?, ?)"
                    + " and action = 'subscription.delete'", oldTomb, youngTomb),
                    "the deletes' own records (of now) stay, the purged tombstone's too");
        } finally {
            Database.query("delete from delivery where id in (?, ?)", queuedDelivery, inFlightDelivery);
        }
    }

    @Test
    void anEventIsKeptWhileItsRetryIsQueuedAndPurgedOnceItEnds() {
        Api.Tenant tenant = Api.tenant();
        UUID subscription = inactiveSubscription(tenant);
        UUID event = event(tenant.orgId(), "60 days", false);
        UUID retried = delivery(event, subscription, tenant.orgId(), "queued", null);
        UUID done = delivery(event, subscription, tenant.orgId(), "succeeded", "59 days");

        given().header("Authorization", ADMIN).post(PURGE).then().statusCode(200);
        assertEquals(1, Database.count("select count(*) from event where id = ?", event));
        assertEquals(1, Database.count("select count(*) from delivery where id = ?", retried));
        // Its finished delivery goes by its own age; the event waits for the queued one.
        assertEquals(0, Database.count("select count(*) from delivery where id = ?", done));

        Database.query("update delivery set status = 'failed', completed_at = now() where id = ?", retried);
        given().header("Authorization", ADMIN).post(PURGE).then().statusCode(200)
                .body("removed.events", greaterThanOrEqualTo(1));
        assertEquals(0, Database.count("select count(*) from event where id = ?", event));
        assertEquals(0, Database.count("select count(*) from delivery where event_id = ?", event));
    }

    @Test
    void theAnswerInMessagePack() {
        UUID attempt = attempt(UUID.randomUUID(), UUID.randomUUID(), "31 days");
        Response answer = given().header("Authorization", ADMIN).accept("application/x-msgpack").post(PURGE);
        answer.then().statusCode(200).contentType("application/x-msgpack");
        Map<?, ?> body = assertInstanceOf(Map.class, Msgpack.decode(answer.asByteArray()));
        Map<?, ?> removed = assertInstanceOf(Map.class, body.get("removed"));
        assertEquals(List.of("events", "deliveries", "attempts", "tombstones", "auditRecords"), List.copyOf(removed.keySet()));
        for (Object count : removed.values()) {
            assertTrue(count instanceof Integer || count instanceof Long, "a count: " + count);
        }
        assertTrue(((Number) removed.get("attempts")).longValue() >= 1, "removed " + removed);
        assertTrue(body.get("elapsedMs") instanceof Number, "elapsedMs " + body);
        assertEquals(0, Database.count("select count(*) from delivery_attempt where id = ?", attempt));
    }

    @Test
    void onlyTheOperatorMayPurgeAndNothingIsRemovedOtherwise() {
        Api.Tenant tenant = Api.tenant();
        UUID attempt = attempt(UUID.randomUUID(), tenant.orgId(), "31 days");
        given().post(PURGE).then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        given().header("Authorization", "Bearer wrong").post(PURGE).then().statusCode(401)
                .contentType("application/problem+json");
        given().header("Authorization", tenant.bearer()).post(PURGE).then().statusCode(401)
                .contentType("application/problem+json");
        given().header("Authorization", ADMIN).get(PURGE).then().statusCode(405);
        assertEquals(1, Database.count("select count(*) from delivery_attempt where id = ?", attempt));
    }

    /**
     * One purge at a time in an instance: a second request while one runs gets 409 at once; the first finishes.
     * The first is held by a lock on the audit table, the last table it purges (its other statements skip
     * locked rows and never wait).
     */
    @Test
    void aSecondPurgeWhileOneRunsIsRefusedWith409() throws Throwable {
        UUID attempt = attempt(UUID.randomUUID(), UUID.randomUUID(), "31 days");
        CompletableFuture<Response> first;
        try (Connection locker = Database.connect()) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("lock table audit in share mode");
            }
            first = CompletableFuture.supplyAsync(() -> given().header("Authorization", ADMIN).post(PURGE));
            await().atMost(Duration.ofSeconds(10)).until(() -> Database.count("select count(*) from pg_locks l"
                    + " join pg_class c on c.oid = l.relation where c.relname = 'audit' and not l.granted") > 0);

            given().header("Authorization", ADMIN).post(PURGE).then().statusCode(409)
                    .contentType("application/problem+json").body("status", equalTo(409));
            // The scheduled purge skips meanwhile, without failing.
            VertxContextSupport.subscribeAndAwait(purge::scheduled);
            locker.commit();
        }
        Response answer = first.get(10, TimeUnit.SECONDS);
        answer.then().statusCode(200).body("removed.attempts", greaterThanOrEqualTo(1));
        assertEquals(0, Database.count("select count(*) from delivery_attempt where id = ?", attempt));
        // Once it has finished, the next one runs.
        given().header("Authorization", ADMIN).post(PURGE).then().statusCode(200);
    }

    @Test
    void theScheduledPurgeCoversEveryTable() throws Throwable {
        Api.Tenant tenant = Api.tenant();
        UUID subscription = inactiveSubscription(tenant);
        UUID event = event(tenant.orgId(), "31 days", false);
        UUID youngEvent = event(tenant.orgId(), "1 day", false);
        UUID finished = delivery(youngEvent, subscription, tenant.orgId(), "succeeded", "31 days");
        UUID attempt = attempt(subscription, tenant.orgId(), "31 days");
        long audit = audit(tenant.orgId(), "401 days");

        VertxContextSupport.subscribeAndAwait(purge::scheduled);

        assertEquals(0, Database.count("select count(*) from event where id = ?", event));
        assertEquals(0, Database.count("select count(*) from delivery where id = ?", finished));
        assertEquals(0, Database.count("select count(*) from delivery_attempt where id = ?", attempt));
        assertEquals(0, Database.count("select count(*) from audit where id = ?", audit));
        assertEquals(1, Database.count("select count(*) from event where id = ?", youngEvent));
    }

    private static UUID inactiveSubscription(Api.Tenant tenant) {
        UUID id = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        Database.query("update subscription set active = false where id = ?", id);
        return id;
    }

    private static UUID deletedSubscription(Api.Tenant tenant, String age) {
        UUID id = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(204);
        Database.query("update subscription set deleted_at = now() - interval '" + age + "' where id = ?", id);
        return id;
    }

    private static UUID event(UUID orgId, String age, boolean erased) {
        UUID id = UUID.randomUUID();
        // Sealed (as every payload is now; the bytes are never opened here), so the payload sealer leaves it alone.
        Database.query("insert into event (id, org_id, type, payload, payload_format, sealed, created_at, erased_at)"
                + " values (?, ?, 'retention.test', ?, 'json', true, now() - interval '" + age + "', ?)",
                id, orgId, erased ? null : "{}".getBytes(), erased ? java.sql.Timestamp.from(java.time.Instant.now()) : null);
        return id;
    }

    /** A delivery in that state; a finished one completed {@code age} ago. */
    private static UUID delivery(UUID event, UUID subscription, UUID orgId, String status, String age) {
        UUID id = UUID.randomUUID();
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at, locked_until, completed_at)"
                + " values (?, ?, ?, ?, ?, now(), case when ? = 'in_flight' then now() + interval '1 hour' end, "
                + (age == null ? "null" : "now() - interval '" + age + "'") + ")",
                id, event, subscription, orgId, status, status);
        return id;
    }

    private static UUID attempt(UUID subscriptionId, UUID orgId, String age) {
        UUID id = UUID.randomUUID();
        Database.query("insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code,"
                + " status_description, duration_ms) values (?, ?, ?, ?, now() - interval '" + age + "', 200, '200 OK', 5)",
                id, subscriptionId, UUID.randomUUID(), orgId);
        return id;
    }

    private static long audit(UUID orgId, String age) {
        return ((Number) Database.query("insert into audit (org_id, action, actor, surface, at) values"
                + " (?, 'retention.test', 'test', 'test', now() - interval '" + age + "') returning id", orgId)
                .get(0).get("id")).longValue();
    }

    private static String status(UUID delivery) {
        return (String) Database.query("select status from delivery where id = ?", delivery).get(0).get("status");
    }
}

package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attempts recorded together (the recorder writes what finished while its previous statement ran in
 * one statement) leave the subscription, the deliveries and the history as if written one by one.
 */
@QuarkusTest
class AttemptRecorderTest {

    @Inject
    AttemptRecorder recorder;

    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);

    record Setup(UUID orgId, UUID subscriptionId, List<UUID> deliveries, List<UUID> events, UUID queuedSibling) {
    }

    /** A subscription with {@code n} leased deliveries and one queued for tomorrow. */
    static Setup setup(int n) {
        Api.Tenant tenant = Api.tenant();
        UUID sub = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        List<UUID> deliveries = new ArrayList<>();
        List<UUID> events = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            UUID event = UUID.randomUUID();
            UUID delivery = UUID.randomUUID();
            Database.query("insert into event (id, org_id, type, payload, payload_format) values (?, ?, 'order.created', '\\x7b7d'::bytea, 'json')",
                    event, tenant.orgId());
            Database.query(i < n
                    ? "insert into delivery (id, event_id, subscription_id, org_id, status, attempts, locked_until) values (?, ?, ?, ?, 'in_flight', 1, now() + interval '1 hour')"
                    : "insert into delivery (id, event_id, subscription_id, org_id, status, due_at) values (?, ?, ?, ?, 'queued', now() + interval '1 day')",
                    delivery, event, sub, tenant.orgId());
            deliveries.add(delivery);
            events.add(event);
        }
        UUID sibling = deliveries.remove(n);
        return new Setup(tenant.orgId(), sub, deliveries, events, sibling);
    }

    static ClaimedDelivery claimed(Setup s, int i) {
        return new ClaimedDelivery(s.deliveries().get(i), s.events().get(i), s.subscriptionId(), s.orgId(), 1, "order.created",
                "{}".getBytes(), false, "json", "https://receiver.example.com/h", "application/json", Map.of(), null, List.of());
    }

    static AttemptOutcome outcome(int secondsAfterT0, int status) {
        return new AttemptOutcome(T0.plusSeconds(secondsAfterT0), status, status < 300 ? "OK" : "Internal Server Error", 12, null);
    }

    /** Records all at once: the first is written alone, the others wait for it and go together. */
    List<AttemptRecorder.Recorded> recordAll(Setup s, List<AttemptOutcome> outcomes, List<RetryPolicy.Decision> decisions) {
        List<Uni<AttemptRecorder.Recorded>> pending = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            pending.add(recorder.record(claimed(s, i), outcomes.get(i), decisions.get(i)).memoize().indefinitely());
            pending.get(i).subscribe().with(r -> { }, e -> { });
        }
        List<AttemptRecorder.Recorded> results = new ArrayList<>();
        for (Uni<AttemptRecorder.Recorded> p : pending) {
            results.add(p.await().atMost(Duration.ofSeconds(10)));
        }
        return results;
    }

    static Instant instant(Object value) {
        return value == null ? null : ((Timestamp) value).toInstant();
    }

    @Test
    void failureSuccessFailureFailureLeavesTheRunFromTheThirdAttempt() {
        Setup s = setup(4);
        RetryPolicy.Decision retry = new RetryPolicy.Decision("queued", T0.plusSeconds(3600), false);
        RetryPolicy.Decision succeeded = new RetryPolicy.Decision("succeeded", null, false);
        List<AttemptRecorder.Recorded> results = recordAll(s,
                List.of(outcome(1, 500), outcome(2, 200), outcome(3, 503), outcome(4, 500)),
                List.of(retry, succeeded, retry, retry));
        results.forEach(r -> assertTrue(r.updated(), "each delivery row was still leased"));

        Map<String, Object> sub = Database.query("select last_http_success, last_http_fail, failing_since, active from subscription where id = ?",
                s.subscriptionId()).get(0);
        assertEquals(T0.plusSeconds(2), instant(sub.get("last_http_success")));
        assertEquals(T0.plusSeconds(4), instant(sub.get("last_http_fail")));
        assertEquals(T0.plusSeconds(3), instant(sub.get("failing_since")), "failing since the first failure after the last success");
        assertEquals(true, sub.get("active"));
        assertEquals(4, Database.count("select count(*) from delivery_attempt where subscription_id = ?", s.subscriptionId()));
        assertEquals(List.of("queued", "succeeded", "queued", "queued"), s.deliveries().stream()
                .map(d -> (String) Database.query("select status from delivery where id = ?", d).get(0).get("status")).toList());
        assertEquals(1, Database.count("select count(*) from delivery where id = ? and status = 'queued' and locked_until is null"
                + " and due_at = ?", s.deliveries().get(0), Timestamp.from(T0.plusSeconds(3600))));
    }

    @Test
    void aSuccessLastEndsTheRunAndAnEarlierRunIsKeptByFailuresAlone() {
        Setup ending = setup(3);
        Database.query("update subscription set failing_since = ? where id = ?", Timestamp.from(T0.minusSeconds(600)), ending.subscriptionId());
        RetryPolicy.Decision retry = new RetryPolicy.Decision("queued", T0.plusSeconds(3600), false);
        RetryPolicy.Decision succeeded = new RetryPolicy.Decision("succeeded", null, false);
        recordAll(ending, List.of(outcome(1, 500), outcome(2, 500), outcome(3, 204)), List.of(retry, retry, succeeded));
        assertEquals(null, Database.query("select failing_since from subscription where id = ?", ending.subscriptionId()).get(0).get("failing_since"));

        Setup running = setup(3);
        Database.query("update subscription set failing_since = ? where id = ?", Timestamp.from(T0.minusSeconds(600)), running.subscriptionId());
        recordAll(running, List.of(outcome(1, 500), outcome(2, 500), outcome(3, 500)), List.of(retry, retry, retry));
        assertEquals(T0.minusSeconds(600), instant(Database.query("select failing_since from subscription where id = ?",
                running.subscriptionId()).get(0).get("failing_since")), "the run that began before these attempts goes on");
    }

    @Test
    void aDeactivationCancelsTheQueuedSiblingsOnce() {
        Setup s = setup(3);
        RetryPolicy.Decision retry = new RetryPolicy.Decision("queued", T0.plusSeconds(3600), false);
        RetryPolicy.Decision gone = new RetryPolicy.Decision("failed", null, true);
        List<AttemptRecorder.Recorded> results = recordAll(s, List.of(outcome(1, 500), outcome(2, 410), outcome(3, 500)),
                List.of(retry, gone, retry));
        assertFalse((Boolean) Database.query("select active from subscription where id = ?", s.subscriptionId()).get(0).get("active"));
        assertEquals("cancelled", Database.query("select status from delivery where id = ?", s.queuedSibling()).get(0).get("status"));
        assertEquals("failed", Database.query("select status from delivery where id = ?", s.deliveries().get(1)).get(0).get("status"));
        assertTrue(results.get(1).cancelled() >= 1, "the deactivating attempt reports what it cancelled");
        assertEquals(3, Database.count("select count(*) from delivery_attempt where subscription_id = ?", s.subscriptionId()));
    }

    @Test
    void theRowOfADeletedSubscriptionIsGoneButTheHistoryIsWritten() {
        Setup s = setup(1);
        Database.query("delete from delivery where id = ?", s.deliveries().get(0));
        AttemptRecorder.Recorded r = recordAll(s, List.of(outcome(1, 200)), List.of(new RetryPolicy.Decision("succeeded", null, false))).get(0);
        assertFalse(r.updated());
        assertEquals(1, Database.count("select count(*) from delivery_attempt where delivery_id = ?", s.deliveries().get(0)));
    }

    /**
     * An outcome that comes after its lease ran out and the row was claimed again (attempts 2) is history only:
     * the newer claim's row keeps its lease, so no third claim and no sibling run beside the attempt in flight.
     */
    @Test
    void anOutcomeOfAnEarlierClaimLeavesTheRowToTheClaimAfterIt() {
        Setup s = setup(2);
        Database.query("update delivery set attempts = 2 where id = ?", s.deliveries().get(0));
        List<AttemptRecorder.Recorded> results = recordAll(s, List.of(outcome(0, 500), outcome(1, 500)), List.of(
                new RetryPolicy.Decision("queued", T0.plusSeconds(3600), false),
                new RetryPolicy.Decision("queued", T0.plusSeconds(3600), false)));
        assertFalse(results.get(0).updated());
        assertTrue(results.get(1).updated());
        Map<String, Object> stale = Database.query("select status, attempts, locked_until > now() as leased from delivery where id = ?",
                s.deliveries().get(0)).get(0);
        assertEquals("in_flight", stale.get("status"));
        assertEquals(2, ((Number) stale.get("attempts")).intValue());
        assertEquals(true, stale.get("leased"));
        assertEquals("queued", Database.query("select status from delivery where id = ?", s.deliveries().get(1)).get(0).get("status"));
        assertEquals(2, Database.count("select count(*) from delivery_attempt where delivery_id in (?, ?)",
                s.deliveries().get(0), s.deliveries().get(1)));
    }

    /**
     * A write that fails (here: the history table is briefly away, as a restarting database fails a statement) is
     * tried again rather than dropped, which left the delivery to wait for its lease and be sent twice: the outcome
     * is recorded once the table is back, within the lease's margin.
     */
    @Test
    void aWriteThatFailsIsTriedAgainWithinTheLeaseMargin() {
        Setup s = setup(1);
        long failedBefore = recorder.failedWrites();
        Uni<AttemptRecorder.Recorded> pending;
        Database.query("alter table delivery_attempt rename to delivery_attempt_away");
        try {
            pending = recorder.record(claimed(s, 0), outcome(1, 200), new RetryPolicy.Decision("succeeded", null, false))
                    .memoize().indefinitely();
            pending.subscribe().with(r -> { }, e -> { });
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.failedWrites() > failedBefore);
        } finally {
            Database.query("alter table delivery_attempt_away rename to delivery_attempt");
        }
        assertTrue(pending.await().atMost(Duration.ofSeconds(10)).updated());
        assertEquals("succeeded", Database.query("select status from delivery where id = ?", s.deliveries().get(0)).get(0).get("status"));
        assertEquals(1, Database.count("select count(*) from delivery_attempt where delivery_id = ?", s.deliveries().get(0)));
    }

    @Test
    void aReasonPhraseWithControlCharactersIsStoredPrintableAndDoesNotFailTheOthers() {
        Setup s = setup(2);
        RetryPolicy.Decision retry = new RetryPolicy.Decision("queued", T0.plusSeconds(3600), false);
        AttemptOutcome hostile = new AttemptOutcome(T0.plusSeconds(1), 500, "500 Bad\u0000Thing\r\n" + "x".repeat(500), 5, null);
        List<AttemptRecorder.Recorded> results = recordAll(s, List.of(outcome(0, 500), hostile), List.of(retry, retry));
        results.forEach(r -> assertTrue(r.updated()));
        String stored = (String) Database.query("select status_description from delivery_attempt where delivery_id = ?",
                s.deliveries().get(1)).get(0).get("status_description");
        assertTrue(stored.startsWith("500 Bad?Thing??xxx"), stored);
        assertEquals(300, stored.length());
    }
}

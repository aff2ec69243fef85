package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes what attempts came to: the history rows, each subscription's lastHttpSuccess / lastHttpFail /
 * failing run (and deactivation), each delivery's next state, and — when a subscription is deactivated
 * — the cancellation of its other queued deliveries.
 *
 * <p>Attempts that finish while a write is running are written together by the next one, in one
 * statement (natural batching: one attempt alone is written at once; under load a statement carries up
 * to {@link #MAX_BATCH}). A subscription row is then updated once per statement, not once per attempt.
 *
 * <p>The delivery row may be gone (its subscription was deleted while the attempt was in flight): the
 * history row is still written, nothing is re-queued. Only a row this worker still leases
 * ({@code in_flight}) changes. The statement is {@link DeliveryAttemptRepository}'s.
 */
@ApplicationScoped
public class AttemptRecorder {

    /** Most attempts written by one statement. */
    static final int MAX_BATCH = 512;

    /** Whether the delivery row was still ours to update, and how many queued siblings were cancelled. */
    public record Recorded(boolean updated, long cancelled) {
    }

    private record Pending(UUID id, ClaimedDelivery delivery, AttemptOutcome outcome, RetryPolicy.Decision decision,
            CompletableFuture<Recorded> result) {
    }

    private final DeliveryAttemptRepository attempts;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    private final double paceRecoverySeconds;

    public AttemptRecorder(DeliveryAttemptRepository attempts, HookhubConfig config) {
        this.attempts = attempts;
        this.paceRecoverySeconds = Math.max(0.001, config.delivery().paceRecovery().toMillis() / 1000.0);
    }

    public Uni<Recorded> record(ClaimedDelivery d, AttemptOutcome outcome, RetryPolicy.Decision decision) {
        Pending pending = new Pending(Ids.newId(), d, outcome, decision, new CompletableFuture<>());
        queue.add(pending);
        drain();
        return Uni.createFrom().completionStage(pending.result());
    }

    /** Writes what is queued, unless a write is running (its end drains again). */
    private void drain() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>();
            for (Pending p; batch.size() < MAX_BATCH && (p = queue.poll()) != null;) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                writing.set(false);
                continue;
            }
            write(batch).subscribe().with(rows -> finish(batch, rows, null), failure -> finish(batch, null, failure));
            return;
        }
    }

    private void finish(List<Pending> batch, RowSet<Row> rows, Throwable failure) {
        writing.set(false);
        if (failure != null) {
            batch.forEach(p -> p.result().completeExceptionally(failure));
        } else {
            Map<UUID, Recorded> byDelivery = new HashMap<>();
            for (Row r : rows) {
                byDelivery.put(r.getUUID("delivery_id"), new Recorded(r.getBoolean("updated"), r.getLong("cancelled")));
            }
            batch.forEach(p -> p.result().complete(byDelivery.getOrDefault(p.delivery().id(), new Recorded(false, 0))));
        }
        drain();
    }

    private Uni<RowSet<Row>> write(List<Pending> batch) {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        UUID[] deliveries = new UUID[n];
        UUID[] subscriptions = new UUID[n];
        UUID[] events = new UUID[n];
        UUID[] orgs = new UUID[n];
        OffsetDateTime[] attemptedAt = new OffsetDateTime[n];
        Integer[] statusCodes = new Integer[n];
        String[] descriptions = new String[n];
        Integer[] durations = new Integer[n];
        Boolean[] successes = new Boolean[n];
        Boolean[] deactivations = new Boolean[n];
        String[] statuses = new String[n];
        OffsetDateTime[] dueAt = new OffsetDateTime[n];
        Boolean[] throttles = new Boolean[n];
        Integer[] claims = new Integer[n];
        for (int i = 0; i < n; i++) {
            Pending p = batch.get(i);
            ids[i] = p.id();
            deliveries[i] = p.delivery().id();
            subscriptions[i] = p.delivery().subscriptionId();
            events[i] = p.delivery().eventId();
            orgs[i] = p.delivery().orgId();
            attemptedAt[i] = utc(p.outcome().attemptedAt());
            statusCodes[i] = p.outcome().statusCode();
            descriptions[i] = printable(p.outcome().description());
            durations[i] = (int) Math.min(Integer.MAX_VALUE, p.outcome().durationMs());
            successes[i] = RetryPolicy.isSuccess(p.outcome().statusCode());
            deactivations[i] = p.decision().deactivate();
            statuses[i] = p.decision().status();
            dueAt[i] = utc(p.decision().dueAt());
            throttles[i] = RetryPolicy.isThrottleSignal(p.outcome());
            claims[i] = p.delivery().attempt();
        }
        Tuple args = Tuple.from(List.of(ids, deliveries, subscriptions, events, orgs, attemptedAt, statusCodes,
                descriptions, durations, successes, deactivations, statuses, dueAt,
                throttles, paceRecoverySeconds, claims));
        return attempts.record(args);
    }

    /**
     * The description as text PostgreSQL stores: a receiver's reason phrase is the receiver's to choose,
     * and one NUL character would fail the whole batch (and so re-send every attempt in it).
     */
    static String printable(String description) {
        if (description == null) {
            return "";
        }
        StringBuilder text = new StringBuilder(Math.min(description.length(), 300));
        for (int i = 0; i < description.length() && text.length() < 300; i++) {
            char c = description.charAt(i);
            text.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return text.toString();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

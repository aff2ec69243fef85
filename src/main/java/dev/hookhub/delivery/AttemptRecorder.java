package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.support.Ids;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
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
import java.util.concurrent.atomic.AtomicLong;

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
 *
 * <p>A write that fails (the database restarting, a connection dropped) is tried again, after 100 ms doubling up
 * to 1 s, for as long as the lease's margin ({@code hookhub.delivery.lease-margin}, 5 s) from its first failure;
 * attempts that finish meanwhile wait and go with it. An outcome is only given up after that: its delivery is then
 * attempted again when its lease runs out (at-least-once). A write whose commit landed although its answer was
 * lost changes nothing the second time: the history row's id is the same, and the delivery is no longer in flight.
 */
@ApplicationScoped
public class AttemptRecorder {

    /** Most attempts written by one statement. */
    static final int MAX_BATCH = 512;

    /** Whether the delivery row was still ours to update, and how many queued siblings were cancelled. */
    public record Recorded(boolean updated, long cancelled) {
    }

    /** First wait before a failed write is tried again; it doubles up to {@link #RETRY_MAX}. */
    static final Duration RETRY_FIRST = Duration.ofMillis(100);
    static final Duration RETRY_MAX = Duration.ofSeconds(1);

    /** giveUpAt: System.nanoTime() past which a failed write of it is not tried again (0 until it first fails). */
    private record Pending(UUID id, ClaimedDelivery delivery, AttemptOutcome outcome, RetryPolicy.Decision decision,
            CompletableFuture<Recorded> result, long giveUpAt) {

        Pending failedAt(long now, long retryFor) {
            return giveUpAt != 0 ? this : new Pending(id, delivery, outcome, decision, result, now + retryFor);
        }
    }

    private final DeliveryAttemptRepository attempts;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    private final double paceRecoverySeconds;
    private final long retryForNanos;
    /** Writes that failed in a row (0 after one succeeds), for the wait before the next. */
    private int failuresInARow;
    private final AtomicLong failedWrites = new AtomicLong();
    private final DatabaseOutage outage;

    public AttemptRecorder(DeliveryAttemptRepository attempts, HookhubConfig config, DatabaseOutage outage) {
        this.outage = outage;
        this.attempts = attempts;
        this.paceRecoverySeconds = Math.max(0.001, config.delivery().paceRecovery().toMillis() / 1000.0);
        this.retryForNanos = config.delivery().leaseMargin().toNanos();
    }

    /** Statements of this recorder that failed since it started. */
    long failedWrites() {
        return failedWrites.get();
    }

    public Uni<Recorded> record(ClaimedDelivery d, AttemptOutcome outcome, RetryPolicy.Decision decision) {
        Pending pending = new Pending(Ids.newId(), d, outcome, decision, new CompletableFuture<>(), 0);
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
        if (failure != null) {
            failedWrites.incrementAndGet();
            long now = System.nanoTime();
            List<Pending> again = new ArrayList<>();
            for (Pending p : batch) {
                Pending failed = p.failedAt(now, retryForNanos);
                if (now - failed.giveUpAt() < 0) {
                    again.add(failed);
                } else {
                    p.result().completeExceptionally(failure);
                }
            }
            if (!again.isEmpty()) {
                // Still writing (no other statement starts) until the wait is over; then this batch goes again
                // with what finished meanwhile.
                Duration wait = RETRY_FIRST.multipliedBy(1L << Math.min(10, failuresInARow++));
                wait = wait.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : wait;
                if (!outage.absorbed(failure, "recording " + again.size() + " attempts")) {
                    Log.warnf("Recording %d attempts failed (%s); trying again in %d ms", again.size(),
                            failure.getMessage(), wait.toMillis());
                }
                queue.addAll(again);
                Uni.createFrom().voidItem().onItem().delayIt().by(wait).subscribe().with(ignored -> {
                    writing.set(false);
                    drain();
                });
                return;
            }
            writing.set(false);
        } else {
            failuresInARow = 0;
            writing.set(false);
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

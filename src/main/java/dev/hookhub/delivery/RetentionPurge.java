package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.subscription.SubscriptionRepository;
import dev.hookhub.support.Rejection;
import dev.hookhub.tenancy.AuditRepository;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Retention (README, "Retention"): every table's rows past its {@code hookhub.retention.*} period are deleted,
 * in bounded batches (the repositories' purge statements, each batch one short statement of its own along an
 * index), table after table: events that no delivery waits on (their deliveries with them), finished
 * deliveries, delivery attempts, tombstones of deleted subscriptions (their remaining deliveries with them),
 * audit records. One purge at a time in this instance; purges of several instances take disjoint rows.
 */
@ApplicationScoped
public class RetentionPurge {

    /** What one purge removed from each table, and how long it took. */
    public record Purged(long events, long deliveries, long attempts, long tombstones, long auditRecords, long elapsedMs) {
    }

    private final EventRepository events;
    private final DeliveryRepository deliveries;
    private final DeliveryAttemptRepository attempts;
    private final SubscriptionRepository subscriptions;
    private final AuditRepository audit;
    private final HookhubConfig config;
    private final DatabaseOutage outage;
    private final AtomicBoolean running = new AtomicBoolean();

    public RetentionPurge(EventRepository events, DeliveryRepository deliveries, DeliveryAttemptRepository attempts,
            SubscriptionRepository subscriptions, AuditRepository audit, HookhubConfig config,
            DatabaseOutage outage) {
        this.outage = outage;
        this.events = events;
        this.deliveries = deliveries;
        this.attempts = attempts;
        this.subscriptions = subscriptions;
        this.audit = audit;
        this.config = config;
    }

    @Scheduled(every = "${hookhub.delivery.purge-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge()
                .invoke(p -> log("Retention purge", p))
                .onFailure(Rejection.Conflict.class).invoke(e -> Log.debug("Retention purge skipped: one is running"))
                .onFailure().invoke(e -> {
                    if (!(e instanceof Rejection.Conflict) && !outage.absorbed(e, "the retention purge")) {
                        Log.warnf("Retention purge failed, the next run goes on from where it stopped: %s", e.toString());
                    }
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Purges every table now. Fails with a {@link Rejection.Conflict} while another purge runs in this
     * instance (the scheduled one, or another request's).
     */
    public Uni<Purged> purge() {
        return Uni.createFrom().deferred(() -> {
            if (!running.compareAndSet(false, true)) {
                return Uni.createFrom().failure(Rejection.conflict("A retention purge is already running in this instance"));
            }
            long started = System.nanoTime();
            Instant now = Instant.now();
            HookhubConfig.Retention retention = config.retention();
            Instant eventCutoff = now.minus(retention.events());
            Instant deliveryCutoff = now.minus(retention.deliveries());
            Instant attemptCutoff = now.minus(retention.attempts().orElse(config.subscriptions().retention()));
            Instant tombstoneCutoff = now.minus(retention.tombstones().orElse(config.subscriptions().retention()));
            Instant auditCutoff = now.minus(retention.audit());
            int batch = config.delivery().purgeBatchSize();
            return batches(() -> events.purgeBefore(eventCutoff, batch), batch)
                    .flatMap(e -> batches(() -> deliveries.purgeFinishedBefore(deliveryCutoff, batch), batch)
                    .flatMap(d -> batches(() -> attempts.purgeBefore(attemptCutoff, batch), batch)
                    .flatMap(a -> batches(() -> subscriptions.purgeTombstones(tombstoneCutoff, batch), batch)
                    .flatMap(t -> batches(() -> audit.purgeBefore(auditCutoff, batch), batch)
                    .map(r -> new Purged(e, d, a, t, r,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)))))))
                    .eventually(() -> running.set(false));
        });
    }

    /** Logs what a purge removed, one line. */
    public static void log(String what, Purged p) {
        Log.infof("%s removed %d events, %d finished deliveries, %d delivery attempts, %d tombstones and %d audit records"
                + " in %d ms", what, p.events(), p.deliveries(), p.attempts(), p.tombstones(), p.auditRecords(), p.elapsedMs());
    }

    /**
     * Batch after batch, each its own statement, until one removes fewer rows than it may; the total. A
     * repetition, not a recursion: millions of rows are thousands of batches.
     */
    private static Uni<Long> batches(Supplier<Uni<Integer>> batchDelete, int batch) {
        return Multi.createBy().repeating().<Integer>uni(batchDelete::get).whilst(removed -> removed >= batch)
                .collect().in(() -> new long[1], (total, removed) -> total[0] += removed)
                .map(total -> total[0]);
    }
}

package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.subscription.SubscriptionRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * Retention (API.md §2): delivery history and tombstones of deleted subscriptions older than
 * {@code hookhub.subscriptions.retention} are deleted, in bounded batches so no statement holds many
 * locks or runs long (the repositories' queries, one transaction per batch). A tombstone takes its remaining
 * deliveries with it (foreign-key cascade).
 */
@ApplicationScoped
public class RetentionPurge {

    /** What one purge removed. */
    public record Purged(long attempts, long subscriptions) {
    }

    private final DeliveryAttemptRepository attempts;
    private final SubscriptionRepository subscriptions;
    private final HookhubConfig config;

    public RetentionPurge(DeliveryAttemptRepository attempts, SubscriptionRepository subscriptions, HookhubConfig config) {
        this.attempts = attempts;
        this.subscriptions = subscriptions;
        this.config = config;
    }

    @Scheduled(every = "${hookhub.delivery.purge-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge().invoke(p -> {
            if (p.attempts() + p.subscriptions() > 0) {
                Log.infof("Retention purge removed %d attempts and %d deleted subscriptions", p.attempts(), p.subscriptions());
            }
        }).replaceWithVoid();
    }

    public Uni<Purged> purge() {
        Instant cutoff = Instant.now().minus(config.subscriptions().retention());
        int batch = config.delivery().purgeBatchSize();
        return batches(() -> attempts.purgeBefore(cutoff, batch), batch, 0)
                .flatMap(n -> batches(() -> subscriptions.purgeTombstones(cutoff, batch), batch, 0)
                        .map(subs -> new Purged(n, subs)));
    }

    /** One batch per transaction, until a batch removes fewer than it may. */
    private Uni<Long> batches(Supplier<Uni<Integer>> batchDelete, int batch, long sofar) {
        return Panache.withTransaction(batchDelete).flatMap(removed -> {
            long total = sofar + removed;
            return removed < batch ? Uni.createFrom().item(total) : batches(batchDelete, batch, total);
        });
    }
}

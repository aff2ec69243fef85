package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Retention (API.md §2): delivery history and tombstones of deleted subscriptions older than
 * {@code hookhub.subscriptions.retention} are deleted, in bounded batches so no statement holds many
 * locks or runs long. A tombstone takes its remaining deliveries with it (foreign-key cascade).
 */
@ApplicationScoped
public class RetentionPurge {

    /** What one purge removed. */
    public record Purged(long attempts, long subscriptions) {
    }

    private static final String ATTEMPTS = """
            delete from delivery_attempt where id in (
                select id from delivery_attempt where attempted_at < $1 limit $2)
            """;
    private static final String TOMBSTONES = """
            delete from subscription where id in (
                select id from subscription where deleted_at < $1 limit $2)
            """;

    private final Pool pool;
    private final HookhubConfig config;

    public RetentionPurge(Pool pool, HookhubConfig config) {
        this.pool = pool;
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
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(config.subscriptions().retention());
        return batches(ATTEMPTS, cutoff, 0)
                .flatMap(attempts -> batches(TOMBSTONES, cutoff, 0).map(subs -> new Purged(attempts, subs)));
    }

    private Uni<Long> batches(String sql, OffsetDateTime cutoff, long sofar) {
        int batch = config.delivery().purgeBatchSize();
        return pool.preparedQuery(sql).execute(Tuple.of(cutoff, batch)).flatMap(rows -> {
            long total = sofar + rows.rowCount();
            return rows.rowCount() < batch ? Uni.createFrom().item(total) : batches(sql, cutoff, total);
        });
    }
}

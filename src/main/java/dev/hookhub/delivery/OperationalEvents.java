package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.store.SqlErrors;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * hookhub's own events in an org's stream (README, "Operational events"): the statement that causes one
 * writes it into the outbox in its own transaction (the delete core: {@link #SUBSCRIPTION_DELETED}; the
 * attempt recorder: {@link #SUBSCRIPTION_DISABLED}, {@link #DELIVERY_EXHAUSTED}), and this relay publishes
 * each outbox row through {@link EventPublisher} with the row's id as the event's id, then deletes it: at
 * least once. A relay that dies after publishing and before deleting publishes the same id again, which
 * stores and queues nothing. Instances share the outbox ({@code FOR UPDATE SKIP LOCKED}).
 */
@ApplicationScoped
public class OperationalEvents {

    /** The prefix of hookhub's own event types: nobody else may publish it. */
    public static final String RESERVED_PREFIX = "hookhub.";
    public static final String SUBSCRIPTION_DELETED = "hookhub.subscription.deleted";
    public static final String SUBSCRIPTION_DISABLED = "hookhub.subscription.disabled";
    public static final String DELIVERY_EXHAUSTED = "hookhub.delivery.exhausted";

    /** A failure other than the database's is logged at most this often (a row that cannot be published stays). */
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** What a relay run did: rows published, rows whose event existed already, rows dropped (org offboarded), rows kept. */
    public record Relayed(int published, int repeated, int discarded, int kept) {
        static final Relayed NONE = new Relayed(0, 0, 0, 0);

        Relayed plus(Relayed other) {
            return new Relayed(published + other.published, repeated + other.repeated, discarded + other.discarded,
                    kept + other.kept);
        }
    }

    private enum Outcome { PUBLISHED, REPEATED, DISCARDED, KEPT }

    private record Done(UUID id, Outcome outcome) {
    }

    private final OperationalEventRepository outbox;
    private final EventPublisher publisher;
    private final int batchSize;
    private final DatabaseOutage outage;
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    public OperationalEvents(OperationalEventRepository outbox, EventPublisher publisher, HookhubConfig config,
            DatabaseOutage outage) {
        this.outage = outage;
        this.outbox = outbox;
        this.publisher = publisher;
        this.batchSize = config.operationalEvents().relayBatchSize();
    }

    /** Whether an event type is hookhub's own ({@code hookhub.} in any case): refused from publishers. */
    public static boolean reserved(String type) {
        return type != null && type.toLowerCase(Locale.ROOT).startsWith(RESERVED_PREFIX);
    }

    @Scheduled(every = "${hookhub.operational-events.relay-every:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return relay().onFailure().invoke(this::failed).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Publishes what the outbox holds, a batch per transaction, until a batch is not full; what it did. */
    public Uni<Relayed> relay() {
        return outbox.any().flatMap(any -> any ? batches(Relayed.NONE) : Uni.createFrom().item(Relayed.NONE));
    }

    private Uni<Relayed> batches(Relayed sofar) {
        List<Done> done = new ArrayList<>();
        return outbox.relay(batchSize, rows -> publishAll(rows, done)).flatMap(taken -> {
            Relayed total = sofar.plus(count(done));
            // A row kept (it failed) would be taken again at once: the next run tries it.
            boolean more = taken == batchSize && done.stream().noneMatch(d -> d.outcome() == Outcome.KEPT);
            return more ? batches(total) : Uni.createFrom().item(total);
        });
    }

    /** Publishes the rows one after the other, oldest first; the ids of those to delete. */
    private Uni<List<UUID>> publishAll(List<OperationalEventRepository.Pending> rows, List<Done> done) {
        return Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(this::publish)
                .collect().asList()
                .map(results -> {
                    done.addAll(results);
                    return results.stream().filter(d -> d.outcome() != Outcome.KEPT).map(Done::id).toList();
                });
    }

    private Uni<Done> publish(OperationalEventRepository.Pending row) {
        if (row.discarded()) {
            return Uni.createFrom().item(new Done(row.id(), Outcome.DISCARDED));
        }
        Payloads.Stored payload = new Payloads.Stored(row.payload().getBytes(StandardCharsets.UTF_8), "json");
        return publisher.publish(row.id(), row.orgId(), row.type(), payload)
                .map(published -> new Done(row.id(), published == null ? Outcome.REPEATED : Outcome.PUBLISHED))
                // The org's data key is gone (offboarding began after the row was read): nothing can be sealed for it.
                .onFailure(dev.hookhub.support.Rejection.Conflict.class).recoverWithItem(new Done(row.id(), Outcome.DISCARDED))
                .onFailure(e -> SqlErrors.databaseFault(e) == null).recoverWithItem(e -> {
                    // Not the database's fault: this row stays for the next run, the others go on.
                    warn("Operational event %s (%s) of org %s could not be published and stays in the outbox: %s",
                            row.id(), row.type(), row.orgId(), e.toString());
                    return new Done(row.id(), Outcome.KEPT);
                });
    }

    private static Relayed count(List<Done> done) {
        int[] n = new int[Outcome.values().length];
        done.forEach(d -> n[d.outcome().ordinal()]++);
        return new Relayed(n[Outcome.PUBLISHED.ordinal()], n[Outcome.REPEATED.ordinal()],
                n[Outcome.DISCARDED.ordinal()], n[Outcome.KEPT.ordinal()]);
    }

    /**
     * A run that failed. The database's faults are DatabaseOutage's to log (once per outage, where requests meet
     * them): the outbox keeps its rows and the next run tries again. Anything else is a WARN, without a stack
     * trace, at most once a minute.
     */
    private void failed(Throwable failure) {
        if (outage.absorbed(failure, "the operational events' relay")) {
            return;
        }
        warn("Operational events not relayed: %s", failure.toString());
    }

    private void warn(String format, Object... args) {
        long now = System.nanoTime();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
            Log.warnf(format, args);
        }
    }
}

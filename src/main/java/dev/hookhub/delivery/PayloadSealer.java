package dev.hookhub.delivery;

import dev.hookhub.support.Rejection;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * Seals the payloads stored before payload encryption (event.sealed false), a batch per transaction, until none is
 * left: after an upgrade the database holds plaintext payloads only until this has run once (a minute after start,
 * then hourly — cheap when there is nothing to do: one probe of the partial index event_unsealed). Several
 * instances may run it at once (EventRepository.unsealed says why that is safe).
 */
@ApplicationScoped
public class PayloadSealer {

    static final int BATCH = 500;

    private final EventRepository events;
    private final Payloads payloads;

    public PayloadSealer(EventRepository events, Payloads payloads) {
        this.events = events;
        this.payloads = payloads;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sealAll().invoke(n -> {
            if (n > 0) {
                Log.infof("Sealed %d payloads stored before payload encryption", n);
            }
        }).replaceWithVoid();
    }

    /** Seals every unsealed payload: how many were sealed. */
    public Uni<Long> sealAll() {
        // The nil uuid: the first in PostgreSQL's order (unsigned bytes).
        return sealFrom(new UUID(0, 0), 0);
    }

    /** What one batch did: how many it sealed, and the last id it read (null when it was the last batch). */
    private record Batch(int sealed, UUID last) {
    }

    /** A batch after {@code after} (in id order), then the next, until a batch comes back short. */
    private Uni<Long> sealFrom(UUID after, long sofar) {
        return Panache.withTransaction(() -> events.unsealed(after, BATCH).flatMap(rows -> seal(rows)
                        .map(n -> new Batch(n, rows.size() < BATCH ? null : rows.get(rows.size() - 1).id))))
                .flatMap(b -> b.last() == null ? Uni.createFrom().item(sofar + b.sealed()) : sealFrom(b.last(), sofar + b.sealed()));
    }

    private Uni<Integer> seal(List<Event> batch) {
        return Multi.createFrom().iterable(batch)
                .onItem().transformToUniAndConcatenate(e -> payloads.seal(e.orgId, e.id, new Payloads.Stored(e.payload, e.payloadFormat))
                        .invoke(sealed -> {
                            e.payload = sealed.bytes();
                            e.sealed = true;
                        })
                        .map(sealed -> 1)
                        // An org being offboarded has no key any more: its events go with it.
                        .onFailure(Rejection.Conflict.class).recoverWithItem(0))
                .collect().asList()
                .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }
}

package dev.hookhub.subscription;

import dev.hookhub.store.SqlErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one delete core (API.md §2): every surface deletes through here and nothing else deletes.
 *
 * <p>All six steps are one SQL statement of data-modifying CTEs through the reactive client
 * ({@link SubscriptionRepository#deleteLive}) — lock the live row (FOR UPDATE), read it as it was, tombstone it, drop its pending deliveries, delete its
 * secret rows (crypto-shred: the only copies of the ciphertext), write the audit record, and read the
 * history — so an unverified delete is one round trip and needs no explicit transaction. Hibernate
 * Reactive's lock modes are unreliable (quarkus#40285, hibernate-reactive#1905), hence native SQL.
 * A concurrent second delete blocks on the row lock, then re-checks {@code deleted_at is null} on the
 * committed row and finds nothing: exactly one delete succeeds.
 *
 * <p>A publish racing the delete: the fan-out holds the subscription rows it queues for FOR KEY SHARE
 * (EventPublisher), which the FOR UPDATE here waits for. A publish that locked first has committed by
 * the time the deliveries are dropped, and {@code drop_pending_deliveries} (VOLATILE, V4) reads with a
 * fresh snapshot, so it sees them; a publish that comes second waits for this commit and then skips the
 * tombstoned row. No delivery of a deleted subscription stays queued.
 */
@ApplicationScoped
public class SubscriptionDeletion {

    private final SubscriptionRepository subscriptions;

    public SubscriptionDeletion(SubscriptionRepository subscriptions) {
        this.subscriptions = subscriptions;
    }

    /**
     * Deletes the subscription the request names. The item is the subscription as it was, or null when
     * none is live in scope (each surface answers its own not-found). A failing verifier, or the
     * time limit, rolls everything back; the time limit fails with {@link DeletionTimedOut}.
     */
    public Uni<DeletedSubscription> delete(DeletionRequest request) {
        return subscriptions.deleteLive(request)
                .onFailure(SqlErrors::isStatementTimeout).transform(e -> new DeletionTimedOut(request.timeout()));
    }

    /** What a batch delete did: how many subscriptions it deleted, and how many pending deliveries it dropped. */
    public record Batch(int subscriptions, long droppedDeliveries) {
    }

    /**
     * Deletes a batch ({@link DeletionScope.OfOrg}: the org's next live subscriptions) with the same statement and
     * the same six steps as {@link #delete}, in the caller's transaction on {@code transaction} (a connection of
     * the reactive client), so that the caller can record its progress in the same commit. Zero subscriptions
     * when the org has no live one left.
     */
    public Uni<Batch> deleteBatch(DeletionRequest request, SqlClient transaction) {
        if (!(request.scope() instanceof DeletionScope.OfOrg)) {
            throw new IllegalArgumentException("a batch delete needs a batch scope, not " + request.scope());
        }
        return subscriptions.deleteLiveBatch(request, transaction);
    }
}

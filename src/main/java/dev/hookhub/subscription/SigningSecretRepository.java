package dev.hookhub.subscription;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription's signing secrets (encrypted). The delete core removes them in its own statement and the
 * queue claim reads the valid ones with each delivery; every other query is here.
 */
@ApplicationScoped
public class SigningSecretRepository implements PanacheRepositoryBase<SigningSecret, UUID> {

    /**
     * A rotation's bookkeeping, in the caller's transaction: secrets past their overlap are deleted, the
     * current ones (no expiry yet) keep signing until {@code validUntil}. The number of current ones retired.
     */
    public Uni<Integer> retire(UUID subscriptionId, Instant now, Instant validUntil) {
        return delete("subscriptionId = ?1 and expiresAt < ?2", subscriptionId, now)
                .flatMap(n -> update("expiresAt = ?1 where subscriptionId = ?2 and expiresAt is null", validUntil,
                        subscriptionId));
    }

    /** The subscription's secrets, newest first, expired ones included until a rotation removes them. */
    @WithSession
    public Uni<List<SigningSecret>> ofSubscription(UUID subscriptionId) {
        return list("subscriptionId = ?1 order by createdAt desc", subscriptionId);
    }
}

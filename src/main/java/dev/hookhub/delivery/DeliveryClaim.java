package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The queue claim: due queued deliveries, and in-flight ones whose lease ran out (a crashed or stopped
 * worker: at-least-once), of live and active subscriptions only, leased to this worker in one statement (DeliveryRepository).
 *
 * <p>The statement commits on its own; the lease, not a held transaction, keeps the row ours.
 *
 * <p>Fair by subscription: a claim steps through the subscriptions that have queued deliveries in id order,
 * starting after the one where this instance's previous claim stopped and wrapping around, and takes from
 * each its oldest due rows up to its free slots ({@code max-in-flight-per-subscription} minus its live
 * leases). A subscription at its bound is stepped over, so however long its backlog it holds no one else
 * back, and every subscription with due deliveries gets its turn once per round. A claim stops when its
 * batch is full or after {@code claim-visits} subscriptions; the next one goes on from there.
 */
@ApplicationScoped
public class DeliveryClaim {

    /** What one claim leased, and where the worker goes on from. */
    public record Batch(List<ClaimedDelivery> deliveries, boolean more, boolean held) {
    }

    private final DeliveryRepository deliveries;
    private final HookhubConfig.Delivery config;
    private final double leaseMillis;
    private final double paceRecoverySeconds;
    /** The subscription the previous claim stopped at; one claim runs at a time (DeliveryWorker). */
    private volatile UUID cursor = DeliveryRepository.START;

    public DeliveryClaim(DeliveryRepository deliveries, HookhubConfig config) {
        this.deliveries = deliveries;
        this.config = config.delivery();
        Duration lease = this.config.effectiveLease();
        if (lease.compareTo(this.config.timeout()) <= 0) {
            // A lease that can run out during a live attempt lets another instance send the delivery again.
            throw new IllegalStateException("hookhub.delivery.lease (" + lease + ") must be longer than hookhub.delivery.timeout ("
                    + this.config.timeout() + "); leave it unset for timeout + lease-margin");
        }
        this.leaseMillis = lease.toMillis();
        this.paceRecoverySeconds = Math.max(0.001, this.config.paceRecovery().toMillis() / 1000.0);
    }

    /**
     * Leases up to {@code limit} due deliveries to the caller, none of the subscriptions of {@code skippedOrgs}, and
     * no more than fit {@code byteBudget} bytes of payload (the first one always).
     */
    public Uni<Batch> claim(int limit, List<UUID> skippedOrgs, long byteBudget) {
        return deliveries.claim(limit, config.maxInFlightPerSubscription(), leaseMillis, cursor, config.claimVisits(),
                        paceRecoverySeconds, skippedOrgs, byteBudget)
                .map(claimed -> {
                    cursor = claimed.nextCursor();
                    return new Batch(claimed.deliveries(), claimed.more(), claimed.held());
                });
    }
}

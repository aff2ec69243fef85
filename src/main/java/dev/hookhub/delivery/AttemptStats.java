package dev.hookhub.delivery;

import dev.hookhub.subscription.SubscriptionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Hourly success and latency figures of the attempt history, for an org or one of its subscriptions. */
@ApplicationScoped
public class AttemptStats {

    /** One hour: attempts started in [start, start + 1h); durations null when there were none. */
    public record Bucket(Instant start, int attempts, int succeeded, int failed, Integer avgDurationMs,
            Integer p95DurationMs, Integer maxDurationMs) {
    }

    private final DeliveryAttemptRepository attempts;
    private final SubscriptionRepository subscriptions;

    public AttemptStats(DeliveryAttemptRepository attempts, SubscriptionRepository subscriptions) {
        this.attempts = attempts;
        this.subscriptions = subscriptions;
    }

    /**
     * The last {@code hours} hourly buckets, oldest first, the current (partial) hour last; every hour
     * present, empty ones with zeros. With a subscription id, null when the org has no such live one.
     */
    @WithSession
    public Uni<List<Bucket>> hourly(UUID orgId, UUID subscriptionId, int hours) {
        Instant currentHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant from = currentHour.minus(hours - 1L, ChronoUnit.HOURS);
        Uni<Boolean> inScope = subscriptionId == null ? Uni.createFrom().item(true)
                : subscriptions.isLive(orgId, subscriptionId);
        return inScope.flatMap(ok -> !ok ? Uni.createFrom().nullItem() : attempts.hourly(orgId, subscriptionId, from)
                .map(rows -> {
                    Map<Instant, DeliveryAttemptRepository.Hour> byHour = new HashMap<>();
                    rows.forEach(r -> byHour.put(r.start(), r));
                    List<Bucket> buckets = new ArrayList<>(hours);
                    for (int i = 0; i < hours; i++) {
                        Instant start = from.plus(i, ChronoUnit.HOURS);
                        DeliveryAttemptRepository.Hour r = byHour.get(start);
                        if (r == null) {
                            buckets.add(new Bucket(start, 0, 0, 0, null, null, null));
                        } else {
                            int n = (int) r.attempts();
                            int succeeded = (int) r.succeeded();
                            buckets.add(new Bucket(start, n, succeeded, n - succeeded, r.avgDurationMs(),
                                    r.p95DurationMs(), r.maxDurationMs()));
                        }
                    }
                    return buckets;
                }));
    }
}

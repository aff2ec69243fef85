package dev.hookhub.api.compat.servicestack;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throttles guessing a subscription's secret (hookhub.servicestack.throttle: by default 5 wrong
 * secrets per subscription id within a minute, then 429). In memory and per instance, which bounds
 * guessing against one instance; several instances each allow their own budget.
 *
 * <p>A try takes its slot when it is admitted, so concurrent tries cannot overrun the budget; the slot
 * is kept when the secret was wrong and given back otherwise.
 */
@ApplicationScoped
class WrongSecretThrottle {

    /** Past this many tracked ids, ids whose failures have all left the window are dropped. */
    private static final int PRUNE_ABOVE = 10_000;

    private final int maxFailures;
    private final long windowNanos;
    private final ConcurrentHashMap<UUID, Deque<Long>> failures = new ConcurrentHashMap<>();

    WrongSecretThrottle(ServiceStackConfig config) {
        this.maxFailures = config.throttle().maxFailures();
        this.windowNanos = config.throttle().window().toNanos();
    }

    /** One admitted try. A wrong secret keeps its slot until the slot leaves the window. */
    final class Try {
        private final UUID id;
        private final Long slot;

        private Try(UUID id, Long slot) {
            this.id = id;
            this.slot = slot;
        }

        /** The try did not test a secret (unknown id, failure): give the slot back. */
        void release() {
            failures.computeIfPresent(id, (key, slots) -> {
                slots.remove(slot);
                return slots.isEmpty() ? null : slots;
            });
        }

        /** The subscription is deleted: nothing is left to guess. */
        void deleted() {
            failures.remove(id);
        }
    }

    /** Admits a try for the id, or fails with 429 naming when the next try may come. */
    Try admit(UUID id) {
        if (failures.size() > PRUNE_ABOVE) {
            prune();
        }
        long now = System.nanoTime();
        Long slot = now;
        long[] retryAfterNanos = {0};
        failures.compute(id, (key, slots) -> {
            Deque<Long> live = slots == null ? new ArrayDeque<>() : slots;
            while (!live.isEmpty() && now - live.peekFirst() >= windowNanos) {
                live.pollFirst();
            }
            if (live.size() >= maxFailures) {
                retryAfterNanos[0] = live.peekFirst() + windowNanos - now;
            } else {
                live.addLast(slot);
            }
            return live;
        });
        if (retryAfterNanos[0] > 0) {
            throw ServiceStackError.throttled(Math.max(1, (retryAfterNanos[0] + 999_999_999L) / 1_000_000_000L));
        }
        return new Try(id, slot);
    }

    private void prune() {
        long now = System.nanoTime();
        failures.forEach((id, slots) -> failures.computeIfPresent(id, (key, live) ->
                live.isEmpty() || now - live.peekLast() >= windowNanos ? null : live));
    }
}

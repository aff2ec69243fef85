package dev.hookhub.tenancy;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many bearer tokens that fail verification each address may send: a token bucket per address,
 * {@code burst} deep, refilled at {@code perSecond}. Verifying an ES256 signature costs 0.4-0.9 ms of CPU
 * (bench/README.md, "Bearer tokens"), so a flood of forged tokens under hookhub's key id would otherwise
 * buy that much of the service per request, at every other tenant's expense. Only failures are charged: a
 * client whose tokens verify never drains its bucket, and a remembered token ({@link VerifiedTokens}) is
 * never checked here at all. An address whose bucket is empty gets its unremembered tokens refused without
 * verification until the bucket refills. Addresses are forgotten once their bucket is full again; past
 * {@code capacity} addresses, the full buckets are dropped first, then all.
 */
final class InvalidTokenLimiter {

    private static final class Bucket {
        double tokens;
        long updatedMillis;

        Bucket(double tokens, long updatedMillis) {
            this.tokens = tokens;
            this.updatedMillis = updatedMillis;
        }
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final double perSecond;
    private final int burst;
    private final int capacity;
    private final Clock clock;

    InvalidTokenLimiter(double perSecond, int burst, int capacity, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Whether a token from this address may be verified now (its bucket holds at least one failure). */
    boolean mayVerify(String address) {
        if (address == null || burst <= 0) {
            return true;
        }
        Bucket bucket = buckets.get(address);
        if (bucket == null) {
            return true;
        }
        synchronized (bucket) {
            return refill(bucket, clock.millis()) >= 1;
        }
    }

    /** Charges a failed verification to this address. */
    void failed(String address) {
        if (address == null || burst <= 0) {
            return;
        }
        long now = clock.millis();
        if (buckets.size() >= capacity && !buckets.containsKey(address)) {
            evict(now);
        }
        Bucket bucket = buckets.computeIfAbsent(address, a -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.max(0, refill(bucket, now) - 1);
        }
    }

    int size() {
        return buckets.size();
    }

    private double refill(Bucket bucket, long now) {
        double elapsed = Math.max(0, now - bucket.updatedMillis) / 1000.0;
        bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
        bucket.updatedMillis = now;
        return bucket.tokens;
    }

    private void evict(long now) {
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                return refill(bucket, now) >= burst;
            }
        });
        if (buckets.size() >= capacity) {
            buckets.clear();
        }
    }
}

package dev.hookhub.tenancy;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-address bound on failed token verifications, on a clock the test moves. */
class InvalidTokenLimiterTest {

    private static final class Moving extends Clock {
        Instant now = Instant.parse("2026-12-05T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aBurstOfFailuresThenTheRateAndOtherAddressesAreUntouched() {
        Moving clock = new Moving();
        InvalidTokenLimiter limiter = new InvalidTokenLimiter(5, 20, 100, clock);
        for (int i = 0; i < 20; i++) {
            assertTrue(limiter.mayVerify("10.0.0.1"), "failure " + i + " of the burst");
            limiter.failed("10.0.0.1");
        }
        assertFalse(limiter.mayVerify("10.0.0.1"));
        assertTrue(limiter.mayVerify("10.0.0.2"));
        // 5 per second: one more after 200 ms, none before.
        clock.now = clock.now.plus(Duration.ofMillis(150));
        assertFalse(limiter.mayVerify("10.0.0.1"));
        clock.now = clock.now.plus(Duration.ofMillis(60));
        assertTrue(limiter.mayVerify("10.0.0.1"));
        limiter.failed("10.0.0.1");
        assertFalse(limiter.mayVerify("10.0.0.1"));
        // Refilled after 4 s, and then forgotten when room is needed.
        clock.now = clock.now.plus(Duration.ofSeconds(4));
        for (int i = 0; i < 19; i++) {
            assertTrue(limiter.mayVerify("10.0.0.1"));
            limiter.failed("10.0.0.1");
        }
    }

    @Test
    void addressesBeyondTheCapacityEvictFullBucketsFirstAndNoBoundMeansNone() {
        Moving clock = new Moving();
        InvalidTokenLimiter limiter = new InvalidTokenLimiter(5, 2, 3, clock);
        limiter.failed("a");
        limiter.failed("a");
        limiter.failed("b");
        limiter.failed("c");
        clock.now = clock.now.plus(Duration.ofSeconds(1));
        limiter.failed("d"); // b and c are full again by now and go; a (drained) went too after refilling
        assertTrue(limiter.size() <= 3, "size " + limiter.size());
        InvalidTokenLimiter off = new InvalidTokenLimiter(5, 0, 3, clock);
        for (int i = 0; i < 100; i++) {
            off.failed("a");
        }
        assertTrue(off.mayVerify("a"));
        assertEquals(0, off.size());
        assertTrue(limiter.mayVerify(null));
    }
}

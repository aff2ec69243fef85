package dev.hookhub.tenancy;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** How long a verified token is remembered, and how the memory stays bounded. */
class VerifiedTokensTest {

    /** A clock the test moves. */
    static final class Hands extends Clock {
        long millis = 1_000_000;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    final Caller caller = new Caller(UUID.randomUUID(), "client:c", Set.of(Role.Admin));

    @Test
    void rememberedUntilTheTokenExpires() {
        Hands clock = new Hands();
        VerifiedTokens tokens = new VerifiedTokens(10, 300_000, clock);
        tokens.put("t", caller, clock.millis + 5_000);
        assertSame(caller, tokens.get("t"));
        assertNull(tokens.get("t2"), "another token is not this one");
        clock.millis += 4_999;
        assertSame(caller, tokens.get("t"));
        clock.millis += 1;
        assertNull(tokens.get("t"), "expired at exp");
        assertEquals(0, tokens.size(), "and dropped");
    }

    @Test
    void neverLongerThanTheMaximumAge() {
        Hands clock = new Hands();
        VerifiedTokens tokens = new VerifiedTokens(10, 60_000, clock);
        tokens.put("t", caller, clock.millis + 3_600_000);
        clock.millis += 60_000;
        assertNull(tokens.get("t"));
    }

    @Test
    void anExpiredTokenIsNotKept() {
        Hands clock = new Hands();
        VerifiedTokens tokens = new VerifiedTokens(10, 60_000, clock);
        tokens.put("t", caller, clock.millis);
        assertNull(tokens.get("t"));
        assertEquals(0, tokens.size());
    }

    @Test
    void boundedInSize() {
        Hands clock = new Hands();
        VerifiedTokens tokens = new VerifiedTokens(3, 60_000, clock);
        tokens.put("a", caller, clock.millis + 1_000);
        tokens.put("b", caller, clock.millis + 30_000);
        tokens.put("c", caller, clock.millis + 30_000);
        clock.millis += 1_000;
        tokens.put("d", caller, clock.millis + 30_000);
        assertEquals(3, tokens.size(), "the expired one made room");
        assertSame(caller, tokens.get("b"));
        tokens.put("e", caller, clock.millis + 30_000);
        assertEquals(1, tokens.size(), "full of live tokens: started over");
        assertSame(caller, tokens.get("e"));
    }

    @Test
    void sizeZeroRemembersNothing() {
        Hands clock = new Hands();
        VerifiedTokens tokens = new VerifiedTokens(0, 60_000, clock);
        tokens.put("t", caller, clock.millis + 5_000);
        assertNull(tokens.get("t"));
    }
}

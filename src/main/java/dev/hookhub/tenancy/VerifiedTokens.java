package dev.hookhub.tenancy;

import dev.hookhub.support.Digests;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Callers of bearer tokens quarkus-oidc has already verified, until the token expires (and at most
 * {@code maxAgeMillis}: after that the token is verified and its client looked up again, which bounds how
 * long a revoked client's token still works on an instance that did not revoke it). Verifying a token (RS256 signature, parsing the claims twice) is a fifth of the
 * JVM's work per delete; a client sends the same token for its whole hour. Only successes are kept, keyed
 * by the token's SHA-256, and a hit is re-checked against the token's expiry.
 */
final class VerifiedTokens {

    private record Entry(Caller caller, long validUntilMillis) {
    }

    private final Map<ByteBuffer, Entry> entries = new ConcurrentHashMap<>();
    private final int capacity;
    private final long maxAgeMillis;
    private final Clock clock;

    VerifiedTokens(int capacity, long maxAgeMillis, Clock clock) {
        this.capacity = capacity;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
    }

    /** The caller of this token when it was verified before and has not expired since, else null. */
    Caller get(String token) {
        if (capacity <= 0) {
            return null;
        }
        ByteBuffer key = key(token);
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.validUntilMillis() <= clock.millis()) {
            entries.remove(key, entry);
            return null;
        }
        return entry.caller();
    }

    /** Remembers a verified token's caller until {@code expiresAtMillis} (the token's exp). */
    void put(String token, Caller caller, long expiresAtMillis) {
        if (capacity <= 0) {
            return;
        }
        long now = clock.millis();
        long validUntil = Math.min(expiresAtMillis, now + maxAgeMillis);
        if (validUntil <= now) {
            return;
        }
        if (entries.size() >= capacity) {
            evict(now);
        }
        entries.put(key(token), new Entry(caller, validUntil));
    }

    /** Forgets every token of this actor (a revoked client). */
    void forget(String actor) {
        entries.values().removeIf(entry -> entry.caller().actor().equals(actor));
    }

    /** Forgets every token of this org (an org being offboarded). */
    void forgetOrg(java.util.UUID orgId) {
        entries.values().removeIf(entry -> entry.caller().orgId().equals(orgId));
    }

    int size() {
        return entries.size();
    }

    /** Drops the expired entries; when the cache is still full, all of them (it refills from verification). */
    private void evict(long now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            if (it.next().validUntilMillis() <= now) {
                it.remove();
            }
        }
        if (entries.size() >= capacity) {
            entries.clear();
        }
    }

    private static ByteBuffer key(String token) {
        return ByteBuffer.wrap(Digests.sha256(token));
    }
}

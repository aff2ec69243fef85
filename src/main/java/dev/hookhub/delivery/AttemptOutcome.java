package dev.hookhub.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * What one attempt came to: the HTTP status (null when there was no response: refused, unreachable,
 * timed out), a description for the history, how long it took, a receiver's Retry-After, and whether it
 * ran into the attempt's deadline without a status.
 */
public record AttemptOutcome(Instant attemptedAt, Integer statusCode, String description, long durationMs,
        Duration retryAfter, boolean timedOut) {

    public AttemptOutcome(Instant attemptedAt, Integer statusCode, String description, long durationMs, Duration retryAfter) {
        this(attemptedAt, statusCode, description, durationMs, retryAfter, false);
    }
}

package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What follows an attempt (API.md §7): 2xx succeeds; 410 fails the delivery and deactivates the
 * subscription; otherwise a retry after the schedule's next delay (±jitter), or after the receiver's
 * Retry-After on 429/503 (bounded) when that is later, until the schedule runs out; and a subscription failing for
 * longer than {@code deactivate-after-failing} is deactivated.
 */
@ApplicationScoped
public class RetryPolicy {

    /** The delivery's next state: its status, when it is due again (queued only), and whether to deactivate. */
    public record Decision(String status, Instant dueAt, boolean deactivate) {
    }

    private final List<Duration> schedule;
    private final double jitter;
    private final Duration maxRetryAfter;
    private final Duration deactivateAfterFailing;

    @Inject
    public RetryPolicy(HookhubConfig config) {
        this(config.delivery().retrySchedule(), config.delivery().retryJitter(), config.delivery().maxRetryAfter(),
                config.delivery().deactivateAfterFailing());
    }

    RetryPolicy(List<Duration> schedule, double jitter, Duration maxRetryAfter, Duration deactivateAfterFailing) {
        this.schedule = List.copyOf(schedule);
        this.jitter = jitter;
        this.maxRetryAfter = maxRetryAfter;
        this.deactivateAfterFailing = deactivateAfterFailing;
    }

    public static boolean isSuccess(Integer statusCode) {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }

    /**
     * @param attempt      the number of the attempt just made (1 = first)
     * @param failingSince when the subscription's current run of failures began, or null
     */
    public Decision decide(int attempt, AttemptOutcome outcome, Instant failingSince, Instant now) {
        Integer code = outcome.statusCode();
        if (isSuccess(code)) {
            return new Decision("succeeded", null, false);
        }
        Instant since = failingSince == null ? now : failingSince;
        boolean gone = code != null && code == 410;
        boolean failingTooLong = !since.plus(deactivateAfterFailing).isAfter(now);
        if (gone || failingTooLong) {
            return new Decision("failed", null, true);
        }
        if (attempt > schedule.size()) {
            return new Decision("failed", null, false);
        }
        // A receiver's Retry-After (429/503) can put the retry off, never bring it forward: every attempt counts
        // against the schedule, so "Retry-After: 0" answered at once used up a delivery's retries in 150 ms.
        Duration delay = jittered(schedule.get(attempt - 1));
        if (outcome.retryAfter() != null && code != null && (code == 429 || code == 503)) {
            Duration asked = bounded(outcome.retryAfter());
            delay = asked.compareTo(delay) > 0 ? asked : delay;
        }
        return new Decision("queued", now.plus(delay), false);
    }

    Duration jittered(Duration base) {
        double factor = 1 + (jitter <= 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter));
        return Duration.ofMillis(Math.max(0, Math.round(base.toMillis() * factor)));
    }

    private Duration bounded(Duration retryAfter) {
        if (retryAfter.isNegative()) {
            return Duration.ZERO;
        }
        return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
    }

    /**
     * Whether the outcome asks the sender to slow down (the subscription's adaptive pace): 429 Too Many Requests,
     * 502/503/504 (an overloaded or restarting receiver or gateway), or no status before the deadline.
     */
    public static boolean isThrottleSignal(AttemptOutcome outcome) {
        Integer code = outcome.statusCode();
        return outcome.timedOut() || code != null && (code == 429 || code == 502 || code == 503 || code == 504);
    }

    /** A Retry-After header: delay-seconds or an HTTP date; null when absent or unreadable. */
    public static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException e) {
            // an HTTP date, below
        }
        try {
            return Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

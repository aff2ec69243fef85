package dev.hookhub.subscription;

import java.time.Duration;

/**
 * A delete ran out of its {@link DeletionRequest#within time limit} and was rolled back: nothing
 * changed. Typed here so that no surface has to read PostgreSQL error codes to answer it.
 */
public final class DeletionTimedOut extends RuntimeException {

    private final transient Duration limit;

    public DeletionTimedOut(Duration limit) {
        super("The delete did not finish within " + limit + " and was rolled back", null, false, false);
        this.limit = limit;
    }

    public Duration limit() {
        return limit;
    }
}

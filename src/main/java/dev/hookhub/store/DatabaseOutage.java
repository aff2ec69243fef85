package dev.hookhub.store;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The database's outages as the requests and the background jobs meet them, logged once each: the first fault
 * is one WARN (what failed, where, no stack trace), the requests answered 503 after it are only counted, the
 * jobs' failures are left to DEBUG, and the first answer of the database afterwards (a probe every second while
 * it is down, or readiness) is one INFO.
 */
@ApplicationScoped
public class DatabaseOutage {

    private static final long PROBE_EVERY_MS = 1_000;

    private final Pool pool;
    private final Vertx vertx;
    private final DatabaseBounds bounds;
    private final AtomicReference<Outage> current = new AtomicReference<>();

    private record Outage(long startedNanos, AtomicLong answered503) {
    }

    public DatabaseOutage(Pool pool, Vertx vertx, DatabaseBounds bounds) {
        this.pool = pool;
        this.vertx = vertx;
        this.bounds = bounds;
    }

    /** The Retry-After of a 503 for a database fault, in seconds. */
    public long retryAfterSeconds() {
        return Math.max(1, bounds.retryAfter().toSeconds());
    }

    /** A request met a database fault and is answered 503; the first of an outage is logged. */
    public void seen(Throwable failure, String request) {
        noticed(failure, request, 1);
    }

    /**
     * A background job (the delivery worker's claim, the attempt recorder, the outbox relay, ...) failed. A database
     * fault is this outage's to log, once, and the job logs it at DEBUG at most: true. Anything else is the job's
     * own to log: false.
     */
    public boolean absorbed(Throwable failure, String job) {
        if (SqlErrors.databaseFault(failure) == null) {
            return false;
        }
        noticed(failure, job, 0);
        Log.debugf("%s failed, the database is unavailable: %s", job, summary(failure));
        return true;
    }

    private void noticed(Throwable failure, String where, int answered503) {
        Outage started = new Outage(System.nanoTime(), new AtomicLong(answered503));
        if (current.compareAndSet(null, started)) {
            Log.warnf("Database unavailable (%s) on %s: requests are answered 503 with Retry-After %d s until it answers"
                    + " again; further failures are not logged one by one", summary(failure), where, retryAfterSeconds());
            probeLater(started);
            return;
        }
        Outage outage = current.get();
        if (outage != null) {
            outage.answered503().addAndGet(answered503);
        }
    }

    /** The database answered: ends the outage, if there is one. */
    public void available() {
        Outage ended = current.getAndSet(null);
        if (ended != null) {
            Log.infof("Database available again after %d ms; %d requests were answered 503 meanwhile",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended.startedNanos()), ended.answered503().get());
        }
    }

    public boolean unavailable() {
        return current.get() != null;
    }

    /** One {@code select 1}, failing after the readiness bound however long the database takes. */
    public Uni<Void> ping() {
        return pool.query("select 1").execute().replaceWithVoid()
                .ifNoItem().after(bounds.readinessTimeout()).fail();
    }

    private void probeLater(Outage outage) {
        vertx.setTimer(PROBE_EVERY_MS, id -> ping().subscribe().with(ok -> available(), failure -> {
            if (current.get() == outage) {
                probeLater(outage);
            }
        }));
    }

    /** The innermost cause, in one line: its class and message. */
    static String summary(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}

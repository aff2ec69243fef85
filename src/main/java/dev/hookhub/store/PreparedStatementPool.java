package dev.hookhub.store;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.Pool;
import jakarta.inject.Singleton;

import java.util.concurrent.TimeUnit;

/**
 * Creates the reactive PostgreSQL pool so that every statement is prepared once per connection.
 *
 * <p>{@code quarkus.datasource.reactive.cache-prepared-statements} caches prepared statements, but the
 * Vert.x client skips statements longer than {@link PgConnectOptions#DEFAULT_PREPARED_STATEMENT_CACHE_SQL_LIMIT}
 * (2048) characters, and Quarkus has no setting for that limit. The delete core's statement is longer,
 * so without this it was parsed and planned again on every delete (three times the database CPU of the
 * same statement prepared once; bench/README.md).
 *
 * <p>It also bounds every wait on the database ({@link DatabaseBounds}), which Quarkus has no settings for
 * either: the pool's wait for a free connection, the TCP connect, and, sent as startup parameters, the
 * server's {@code statement_timeout} and {@code idle_in_transaction_session_timeout}.
 *
 * <p>And every connection it lends has an exception handler ({@link HandledConnectionsPool}).
 */
@Singleton
public class PreparedStatementPool implements PgPoolCreator {

    /** Statements up to this many characters are cached; hookhub's longest is about 2,600. */
    static final int SQL_LIMIT = 16_384;

    private final DatabaseBounds bounds;

    public PreparedStatementPool(DatabaseBounds bounds) {
        this.bounds = bounds;
    }

    @Override
    public Pool create(Input input) {
        String statementTimeout = String.valueOf(bounds.statementTimeout().toMillis());
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setPreparedStatementCacheSqlLimit(SQL_LIMIT);
            options.setConnectTimeout((int) bounds.connectTimeout().toMillis());
            options.addProperty("statement_timeout", statementTimeout);
            options.addProperty("idle_in_transaction_session_timeout", statementTimeout);
        }
        input.poolOptions().setConnectionTimeout((int) bounds.acquisitionTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        ignorePoolTimerBug(input.vertx());
        return new HandledConnectionsPool(
                PgDriver.INSTANCE.createPool(input.vertx(), input.pgConnectOptionsList(), input.poolOptions()));
    }

    /**
     * The pool does not cancel its wait timer when getting a connection fails (vertx-sql-client#1706, open):
     * the timer then fails the finished request again and Vert.x reports an uncaught "Result is already
     * complete" with a stack trace, once per failed request, in every outage. The caller has had its
     * answer by then; that one exception is dropped, every other goes to Quarkus' handler as before.
     */
    static void ignorePoolTimerBug(Vertx vertx) {
        Handler<Throwable> others = vertx.exceptionHandler();
        vertx.exceptionHandler(failure -> {
            if (isPoolTimerBug(failure)) {
                return;
            }
            if (others != null) {
                others.handle(failure);
            }
        });
    }

    static boolean isPoolTimerBug(Throwable failure) {
        if (!(failure instanceof IllegalStateException) || !"Result is already complete".equals(failure.getMessage())) {
            return false;
        }
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith("io.vertx.sqlclient.impl.pool.SqlConnectionPool")) {
                return true;
            }
        }
        return false;
    }
}

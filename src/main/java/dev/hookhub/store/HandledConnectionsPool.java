package dev.hookhub.store;

import io.quarkus.logging.Log;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * The pool, with an exception handler on every connection it lends. A connection that fails while it is lent (a
 * reset, a broken pipe, PostgreSQL's "terminating connection" notice at shutdown) reports the failure to its
 * exception handler, and the Vert.x client prints the stack trace to standard error when there is none: raw
 * lines outside the log, which broke the one-WARN-per-outage log and, in production, its JSON lines. The failure
 * also fails the statement under way or the next one, whose caller answers and logs it (a database fault is
 * {@link DatabaseOutage}'s); here it is only DEBUG.
 */
public final class HandledConnectionsPool implements PgPool {

    private final Pool delegate;

    HandledConnectionsPool(Pool delegate) {
        this.delegate = delegate;
    }

    /** The handler every connection hookhub holds gets: the LISTEN connection's too. */
    public static void handled(SqlConnection connection) {
        connection.exceptionHandler(HandledConnectionsPool::failed);
    }

    private static void failed(Throwable failure) {
        Log.debugf("A database connection in use failed (its statement's caller gets the failure): %s",
                DatabaseOutage.summary(failure));
    }

    @Override
    public Future<SqlConnection> getConnection() {
        return delegate.getConnection().onSuccess(HandledConnectionsPool::handled);
    }

    @Override
    public void getConnection(Handler<AsyncResult<SqlConnection>> handler) {
        getConnection().onComplete(handler);
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
        return delegate.query(sql);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
        return delegate.preparedQuery(sql);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
        return delegate.preparedQuery(sql, options);
    }

    @Override
    public PgPool connectHandler(Handler<SqlConnection> handler) {
        delegate.connectHandler(handler);
        return this;
    }

    @Override
    public PgPool connectionProvider(Function<Context, Future<SqlConnection>> provider) {
        delegate.connectionProvider(provider);
        return this;
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public void close(Handler<AsyncResult<Void>> handler) {
        delegate.close(handler);
    }

    @Override
    public Future<Void> close() {
        return delegate.close();
    }
}

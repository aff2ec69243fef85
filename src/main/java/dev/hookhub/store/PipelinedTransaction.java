package dev.hookhub.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * One statement in an explicit transaction, with its statements pipelined: the Vert.x client sends
 * what it is given without waiting for answers, in order on one connection (holding later commands
 * back while a statement is being prepared), so {@code begin}, any {@code set local} settings and the
 * statement go out together. PostgreSQL answers a {@code commit} after a failed statement by rolling
 * back.
 */
public final class PipelinedTransaction {

    private PipelinedTransaction() {
    }

    /**
     * {@code begin} (a simple query: {@code "begin; set local ..."} may carry settings), the statement
     * and {@code commit}: one round trip. The statement's rows once all three have finished, otherwise
     * the first failure in that order.
     */
    public static Uni<RowSet<Row>> run(SqlConnection connection, String begin, String sql, Tuple args) {
        Future<?> opened = connection.query(begin).execute();
        Future<RowSet<Row>> rows = connection.preparedQuery(sql).execute(args);
        Future<?> committed = connection.query("commit").execute();
        return uni(firstFailureOr(rows, opened, rows, committed));
    }

    /**
     * {@code begin} and the statement, the transaction left open: the caller commits or rolls back.
     * Waits for {@code begin} as well as the statement: had {@code begin} failed, the statement would
     * have run outside a transaction, and its success alone must not be trusted.
     */
    public static Uni<RowSet<Row>> open(SqlConnection connection, String begin, String sql, Tuple args) {
        Future<?> opened = connection.query(begin).execute();
        Future<RowSet<Row>> rows = connection.preparedQuery(sql).execute(args);
        return uni(firstFailureOr(rows, opened, rows));
    }

    /** Once all have finished: the first failure in the order given, else the result. */
    private static <T> Future<T> firstFailureOr(Future<T> result, Future<?>... all) {
        return Future.join(List.of(all)).transform(ignored -> {
            for (Future<?> f : all) {
                if (f.failed()) {
                    return Future.failedFuture(f.cause());
                }
            }
            return result;
        });
    }

    private static <T> Uni<T> uni(Future<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage());
    }
}

package dev.hookhub.subscription;

import io.vertx.pgclient.PgException;

/** Recognises the PostgreSQL errors a client's input can cause, wherever they are wrapped. */
public final class SqlErrors {

    private SqlErrors() {
    }

    public static boolean isUniqueViolation(Throwable e) {
        return hasState(e, "23505");
    }

    /** PostgreSQL cancelled the statement because {@code statement_timeout} ran out (57014). */
    public static boolean isStatementTimeout(Throwable e) {
        return hasState(e, "57014");
    }

    static boolean hasState(Throwable e, String sqlState) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && sqlState.equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sqlState.equals(sql.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}

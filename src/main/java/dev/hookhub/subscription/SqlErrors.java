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

    /** Data exceptions (class 22) and check violations: a value the schema refuses, never a server fault. */
    public static boolean isRefusedValue(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String state = t instanceof PgException pg ? pg.getSqlState()
                    : t instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if (state != null && (state.startsWith("22") || state.equals("23514"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
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

package dev.hookhub.store;

import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.util.Set;

/**
 * Recognises the PostgreSQL errors a client's input can cause, and the faults of the database itself,
 * wherever they are wrapped (Hibernate Reactive, Mutiny and CompletionException wrappers included).
 */
public final class SqlErrors {

    /** What a request that failed on a database fault may have left behind. */
    public enum DatabaseFault {
        /** The fault came before anything reached the database, or PostgreSQL rolled the statement back. */
        UNCHANGED,
        /** The connection broke while a statement or the commit was under way: it may or may not have been applied. */
        UNKNOWN
    }

    /**
     * States of a connection that was never made ({@code 08001}, {@code 08004}, {@code 57P03} "cannot
     * connect now", {@code 53300} too many connections) or of a statement PostgreSQL cancelled and rolled
     * back ({@code 57014}, statement_timeout): nothing was applied.
     */
    private static final Set<String> NOTHING_APPLIED = Set.of("08001", "08004", "57P03", "53300", "57014");

    private SqlErrors() {
    }

    /**
     * The database fault behind a failure, or null when it is none: a refused or timed-out connection, the
     * pool's wait for a connection running out, a connection closed or reset under a request (or before a
     * session's next statement), an administrator or crash shutdown ({@code 57P01}, {@code 57P02}), a connection
     * exception ({@code 08xxx}) or a cancelled statement ({@code 57014}).
     */
    public static DatabaseFault databaseFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String state = t instanceof PgException pg ? pg.getSqlState()
                    : t instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if (state != null) {
                if (NOTHING_APPLIED.contains(state)) {
                    return DatabaseFault.UNCHANGED;
                }
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")) {
                    return DatabaseFault.UNKNOWN;
                }
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException
                    || t instanceof java.net.UnknownHostException || t instanceof io.netty.channel.ConnectTimeoutException) {
                return DatabaseFault.UNCHANGED;
            }
            // The pool's wait for a free connection ran out ("Timeout" without a stack trace): nothing was sent.
            String clientMessage = clientMessage(t);
            if (clientMessage.equals("Timeout") || clientMessage.startsWith("Timeout waiting for connection")) {
                return DatabaseFault.UNCHANGED;
            }
            if (t instanceof ClosedConnectionException || isTransportFailure(t)) {
                return DatabaseFault.UNKNOWN;
            }
            // A statement on a connection that broke since its last one (a session holds its connection between
            // statements): not sent, but the statements before it, outside a transaction, may have been applied.
            if (clientMessage.startsWith("Connection is not active now")) {
                return DatabaseFault.UNKNOWN;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The message of a failure the Vert.x client raises without a type of its own, else "". */
    private static String clientMessage(Throwable t) {
        return (t instanceof NoStackTraceThrowable || t instanceof VertxException) && t.getMessage() != null
                ? t.getMessage() : "";
    }

    /**
     * An I/O failure of the socket itself, however the transport reports it: a reset ({@code SocketException:
     * Connection reset} from the JDK's NIO transport, {@code NativeIoException} from Netty's native ones), a broken
     * pipe (a plain {@code IOException} from NIO), a closed channel. Not every {@code IOException}: Jackson's parse
     * errors are IOExceptions too, and they are a client's malformed input.
     */
    private static boolean isTransportFailure(Throwable t) {
        if (!(t instanceof java.io.IOException)) {
            return false;
        }
        String name = t.getClass().getName();
        return t.getClass() == java.io.IOException.class || name.startsWith("java.net.")
                || name.startsWith("java.nio.channels.") || name.startsWith("io.netty.");
    }

    public static boolean isUniqueViolation(Throwable e) {
        return hasState(e, "23505");
    }

    /** A row refers to one that is gone (23503): removed meanwhile, such as an org that was offboarded. */
    public static boolean isForeignKeyViolation(Throwable e) {
        return hasState(e, "23503");
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

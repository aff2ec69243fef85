package dev.hookhub.store;

import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Every way the connection to PostgreSQL can break under a statement, as the reactive client really reports it,
 * is recognised as a database fault (503 with Retry-After, logged once per outage), never an unexpected failure
 * (500, an ERROR with a stack trace). The connection goes through a loopback relay that breaks it on demand: a
 * reset (RST, what a killed server's host or a restart under load sends), an orderly close (FIN), a reset before
 * the next statement is written, and no listener at all.
 */
@QuarkusTest
class DatabaseTransportFaultsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Vertx vertx;

    private Relay relay;

    @AfterEach
    void closeRelay() throws IOException {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aResetUnderAStatementIsAFaultThatMayHaveApplied() throws Exception {
        assertEquals(SqlErrors.DatabaseFault.UNKNOWN, failureOfStatementBrokenBy(Relay::reset));
    }

    @Test
    void anOrderlyCloseUnderAStatementIsAFaultThatMayHaveApplied() throws Exception {
        assertEquals(SqlErrors.DatabaseFault.UNKNOWN, failureOfStatementBrokenBy(Relay::finish));
    }

    @Test
    void aResetBeforeTheNextStatementIsAFault() throws Exception {
        relay = new Relay(upstream());
        PgConnection connection = connect(relay.port());
        connection.query("select 1").execute().await().atMost(WAIT);
        relay.reset();
        Throwable failure = failureOf(() -> connection.query("select 1").execute().await().atMost(WAIT));
        assertNotNull(SqlErrors.databaseFault(failure), () -> "not recognised as a database fault: " + trace(failure));
    }

    @Test
    void noListenerIsAFaultThatChangedNothing() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Throwable failure = failureOf(() -> connect(port));
        assertEquals(SqlErrors.DatabaseFault.UNCHANGED, SqlErrors.databaseFault(failure), () -> trace(failure));
    }

    /** Starts {@code pg_sleep} through the relay, breaks the connection once it runs, and classifies the failure. */
    private SqlErrors.DatabaseFault failureOfStatementBrokenBy(Consumer<Relay> breakIt) throws Exception {
        relay = new Relay(upstream());
        PgConnection connection = connect(relay.port());
        int pid = connection.query("select pg_backend_pid() as pid").execute().await().atMost(WAIT)
                .iterator().next().getInteger("pid");
        var running = connection.query("select pg_sleep(30)").execute().subscribeAsCompletionStage();
        await().atMost(WAIT).until(() -> Database.count(
                "select count(*) from pg_stat_activity where pid = ? and query like 'select pg_sleep%'", pid) == 1);
        breakIt.accept(relay);
        Throwable failure = failureOf(() -> running.get());
        Database.query("select pg_terminate_backend(?)", pid);
        SqlErrors.DatabaseFault fault = SqlErrors.databaseFault(failure);
        assertNotNull(fault, () -> "not recognised as a database fault: " + trace(failure));
        return fault;
    }

    private PgConnection connect(int port) {
        URI upstream = upstream();
        var config = ConfigProvider.getConfig();
        PgConnectOptions options = new PgConnectOptions().setHost("127.0.0.1").setPort(port)
                .setDatabase(upstream.getPath().substring(1))
                .setUser(config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"))
                .setPassword(config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""))
                .setConnectTimeout(5_000);
        return PgConnection.connect(vertx, options).await().atMost(WAIT);
    }

    private static URI upstream() {
        String jdbc = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        // The database's name is the path; a query string (parameters) is not part of it.
        return URI.create(jdbc.substring("jdbc:".length()));
    }

    private interface Call {
        Object call() throws Exception;
    }

    private static Throwable failureOf(Call call) {
        try {
            call.call();
        } catch (Throwable e) {
            return e;
        }
        return fail("the call succeeded");
    }

    private static String trace(Throwable failure) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failure; t != null && chain.length() < 2_000; t = t.getCause() == t ? null : t.getCause()) {
            chain.append(t.getClass().getName()).append(": ").append(t.getMessage()).append(" <- ");
        }
        return chain.toString();
    }

    /** A loopback TCP relay to PostgreSQL whose client side can be reset or closed while a statement runs. */
    private static final class Relay implements AutoCloseable {

        private final ServerSocket server;
        private final List<Socket> clients = new CopyOnWriteArrayList<>();
        private final List<Socket> upstreams = new CopyOnWriteArrayList<>();

        Relay(URI upstream) throws IOException {
            server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket up = new Socket(upstream.getHost(), upstream.getPort());
                        clients.add(client);
                        upstreams.add(up);
                        pump(client, up);
                        pump(up, client);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "relay-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) >= 0;) {
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    // the other side is gone, or the test broke the connection
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        /** RST to the client: SO_LINGER 0, then close. */
        void reset() {
            for (Socket client : clients) {
                try {
                    client.setSoLinger(true, 0);
                    client.close();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** FIN to the client: an orderly close, as a server that exits cleanly sends. */
        void finish() {
            for (Socket client : clients) {
                try {
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : clients) {
                s.close();
            }
            for (Socket s : upstreams) {
                s.close();
            }
        }
    }
}

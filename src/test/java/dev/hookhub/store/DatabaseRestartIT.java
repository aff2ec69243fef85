package dev.hookhub.store;

import com.sun.net.httpserver.HttpServer;
import dev.hookhub.support.Api;
import dev.hookhub.support.Msgpack;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PostgreSQL restart under load (API.md §8): the packaged jar on an embedded PostgreSQL of this test's
 * own (whatever database the build uses), stopped and started again mid-load. During the outage every
 * surface answers 503 with Retry-After in its own shape and readiness says DOWN within a second; afterwards
 * the same process serves again, every event accepted with 202 is stored with all its deliveries, each of
 * them delivered to a receiver on loopback (the delivery worker runs across the restart: its claims and its
 * attempt recording meet the outage too), and the log has one WARN for the outage and one INFO for the
 * recovery, no other WARN of hookhub's, no stack traces.
 */
@EnabledIfSystemProperty(named = "hookhub.packaged-jar", matches = ".+",
        disabledReason = "runs from failsafe (mvn verify), after the jar is packaged")
class DatabaseRestartIT {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String TYPE = "restart.load";
    private static final Pattern LOG_RECORD = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

    private static Path dataDir;
    private static int databasePort;
    private static EmbeddedPostgres database;
    private static Process service;
    private static Path log;
    private static HttpServer receiver;
    private static final AtomicInteger received = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.start();
        dataDir = Files.createTempDirectory("hookhub-restart-pg");
        databasePort = freePort();
        database = startDatabase();
        int port = freePort();
        Path jar = Path.of(System.getProperty("hookhub.packaged-jar"));
        assertTrue(Files.exists(jar), "no packaged jar at " + jar);
        log = Path.of("target", "database-restart.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=test", "-Dquarkus.http.port=" + port, "-jar", jar.toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE") || k.startsWith("HOOKHUB_"));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + databasePort + "/postgres");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres");
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        service = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RestAssured.port = port;
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            assertTrue(service.isAlive(), "the service exited; see " + log);
            try {
                return given().get("/q/health/ready").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() throws IOException {
        if (service != null) {
            service.destroyForcibly();
        }
        if (database != null) {
            database.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        RestAssured.reset();
    }

    @Test
    void aRestartAnswers503WithRetryAfterLosesNothingAndIsLoggedOnce() throws Exception {
        Api.Tenant tenant = Api.tenant();
        String apiKey = Api.apiKey(tenant.orgId());
        for (int i = 0; i < 2; i++) {
            Api.createSubscription(tenant, Map.of("name", "load-" + i,
                    "url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/" + i, "events", List.of(TYPE)));
        }
        Map<String, Object> other = Api.createSubscription(tenant, Map.of("name", "other", "url", "http://127.0.0.1:9/o",
                "events", List.of("other.type")));
        String identityCloudToken = given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials").post("/" + tenant.orgId() + "/login/token")
                .then().statusCode(200).extract().path("access_token");

        // Load across the restart: two publishers, every answer counted (the test's own publishes too).
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            Thread t = new Thread(() -> {
                while (loading.get()) {
                    publish(tenant);
                }
            });
            t.start();
            publishers.add(t);
        }
        // And a reader of the routes that go through Hibernate Reactive sessions, so statements of a session are
        // under way when the database goes: its failures must be answered and logged like every other.
        Set<Integer> readerStatuses = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            while (loading.get()) {
                readerStatuses.add(given().header("Authorization", tenant.bearer()).get("/v1/stats/attempts").statusCode());
                readerStatuses.add(given().header("Authorization", tenant.bearer())
                        .get("/v1/subscriptions/" + other.get("id") + "/attempts").statusCode());
            }
        });
        reader.start();
        publishers.add(reader);
        await().atMost(DEADLINE).until(() -> accepted.size() >= 20);

        database.close();
        database = null;

        // The outage, as each surface answers it.
        await().atMost(DEADLINE).until(() -> publish(tenant).statusCode() == 503);
        Response v1 = publish(tenant);
        v1.then().statusCode(503).header("Retry-After", "5").contentType("application/problem+json")
                .body("status", is(503)).body("title", equalTo("Service Unavailable"))
                .body("detail", containsString("Retry after 5 seconds"));
        String detail = v1.path("detail");
        assertTrue(detail.contains("nothing was changed") || detail.contains("may or may not have been applied"), detail);

        byte[] msgpack = given().header("Authorization", tenant.bearer()).accept("application/x-msgpack")
                .get("/v1/subscriptions").then().statusCode(503).header("Retry-After", "5")
                .contentType(containsString("msgpack")).extract().asByteArray();
        Map<String, Object> problem = Msgpack.decodeMap(msgpack);
        assertEquals(503L, problem.get("status"));
        assertEquals("The database is unavailable. Retry after 5 seconds.", problem.get("detail"));

        // The slow paths that read and write through Hibernate Reactive sessions answer the outage the same way.
        String unknown = java.util.UUID.randomUUID().toString();
        for (String route : List.of("/v1/events/" + unknown, "/v1/events/" + unknown + "/attempts",
                "/v1/subscriptions/" + other.get("id") + "/attempts", "/v1/stats/attempts")) {
            given().header("Authorization", tenant.bearer()).get(route).then().statusCode(503).header("Retry-After", "5")
                    .body("status", is(503));
        }
        for (String route : List.of("/v1/deliveries/" + unknown + "/retry", "/v1/subscriptions/" + other.get("id") + "/test")) {
            given().header("Authorization", tenant.bearer()).post(route).then().statusCode(503).header("Retry-After", "5")
                    .body("status", is(503));
        }
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).get("/v1/admin/orgs/" + tenant.orgId() + "/clients")
                .then().statusCode(503).header("Retry-After", "5").body("status", is(503));
        given().contentType(ContentType.JSON).body(Map.of("id", other.get("id"), "secret", other.get("secret")))
                .post("/sync/webhooks/subscriptions/" + other.get("id") + "/delete")
                .then().statusCode(503).header("Retry-After", "5")
                .body("responseStatus.errorCode", equalTo("ServiceUnavailable"))
                .body("responseStatus.message", containsString("Retry after 5 seconds"));
        given().header("Authorization", tenant.bearer()).header("x-tenant-id", tenant.number())
                .delete("/hooks/" + other.get("number"))
                .then().statusCode(503).header("Retry-After", "5").body("status", is(503)).body("detail", notNullValue());
        given().header("Authorization", tenant.bearer())
                .delete("/organizations/" + tenant.orgId() + "/integrationdestinations/webhooks/" + other.get("id"))
                .then().statusCode(503).header("Retry-After", "5");
        given().header("x-api-key", apiKey).delete("/webhooks/unregister/" + other.get("id"))
                .then().statusCode(503).header("Retry-After", "5");
        given().header("Authorization", "Bearer " + identityCloudToken)
                .delete("/" + tenant.orgId() + "/webhooks/subscriptions/" + other.get("id"))
                .then().statusCode(503).header("Retry-After", "5");

        long started = System.nanoTime();
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        long readinessMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(readinessMs < 1_000, "readiness answered in " + readinessMs + " ms");
        given().get("/q/health/live").then().statusCode(200);

        // Back, without restarting the service.
        database = startDatabase();
        await().atMost(DEADLINE).until(() -> publish(tenant).statusCode() == 202);
        int before = accepted.size();
        await().atMost(DEADLINE).until(() -> accepted.size() >= before + 20);
        loading.set(false);
        for (Thread t : publishers) {
            t.join();
        }
        given().get("/q/health/ready").then().statusCode(200);
        assertEquals(Set.of(200, 503), readerStatuses, "the session routes answer 200, or 503 during the outage");
        given().contentType(ContentType.JSON).body(Map.of("id", other.get("id"), "secret", other.get("secret")))
                .post("/sync/webhooks/subscriptions/" + other.get("id") + "/delete").then().statusCode(200);

        // Nothing lost, nothing half-published.
        Set<String> stored = new HashSet<>();
        List<String> halfPublished = new ArrayList<>();
        try (Connection c = database.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select e.id, (select count(*) from delivery d where d.event_id = e.id)"
                        + " from event e where e.org_id = '" + tenant.orgId() + "' and e.type = '" + TYPE + "'")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
                if (rs.getLong(2) != 2) {
                    halfPublished.add(rs.getString(1) + " has " + rs.getLong(2) + " deliveries");
                }
            }
        }
        Set<String> lost = new HashSet<>(accepted);
        lost.removeAll(stored);
        assertEquals(Collections.emptySet(), lost, "events answered 202 but not stored");
        assertEquals(List.of(), halfPublished);

        // Every delivery of them delivered, the ones whose attempt or whose recording met the outage included.
        String undelivered = "select count(*) from delivery d join event e on e.id = d.event_id where e.org_id = '"
                + tenant.orgId() + "' and e.type = '" + TYPE + "' and d.status <> 'succeeded'";
        await().atMost(DEADLINE).until(() -> {
            try (Connection c = database.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(undelivered)) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        });
        assertTrue(received.get() >= 2 * stored.size(), received.get() + " requests received for " + stored.size()
                + " events of two subscriptions");
        // An event stored without a 202 was answered "may or may not have been applied", never "nothing was changed".
        assertTrue(stored.size() - accepted.size() <= mayHaveApplied.get(), (stored.size() - accepted.size())
                + " events stored without a 202, but only " + mayHaveApplied.get() + " answers said they may have been applied");

        // One WARN for the outage, one INFO for the recovery, no stack traces.
        List<String> lines = Files.readAllLines(log);
        long warns = lines.stream().filter(l -> l.contains("Database unavailable")).count();
        long recoveries = lines.stream().filter(l -> l.contains("Database available again")).count();
        long errors = lines.stream().filter(l -> l.contains(" ERROR ")).count();
        long frames = lines.stream().filter(l -> l.startsWith("\tat ")).count();
        // Every line a log record: a stack trace or an exception printed to standard error (the Vert.x client prints
        // a connection's failure when the connection has no exception handler) is a line without a timestamp.
        List<String> stray = lines.stream().filter(l -> !l.isEmpty() && !LOG_RECORD.matcher(l).lookingAt()).toList();
        List<String> otherWarns = lines.stream().filter(l -> l.contains(" WARN ") && l.contains("[dev.hookhub.")
                && !l.contains("Database unavailable")).toList();
        System.out.printf("DatabaseRestartIT: answers %s (%d may-have-applied); %d events accepted, %d stored; readiness DOWN in %d ms;"
                + " %d requests received; log: %d outage WARN, %d recovery INFO, %d other WARN, %d ERROR lines,"
                + " %d stack frames%n", statuses, mayHaveApplied.get(), accepted.size(), stored.size(), readinessMs,
                received.get(), warns, recoveries, otherWarns.size(), errors, frames);
        assertEquals(1, warns, "one WARN for the outage; see " + log);
        assertEquals(1, recoveries, "one INFO for the recovery; see " + log);
        assertEquals(0, errors, "no ERROR lines; found: " + lines.stream().filter(l -> l.contains(" ERROR ")).toList());
        assertEquals(0, frames, "no stack traces; see " + log);
        assertEquals(List.of(), stray.stream().limit(5).toList(), "lines outside the log's records; see " + log);
        assertEquals(List.of(), otherWarns, "the background jobs' failures are the outage's one WARN");
    }

    private static final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private static final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private static final AtomicInteger mayHaveApplied = new AtomicInteger();

    /** Publishes one event and counts the answer. */
    private static Response publish(Api.Tenant tenant) {
        Response r = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", TYPE, "payload", Map.of("at", System.nanoTime()))).post("/v1/events");
        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
        if (r.statusCode() == 202) {
            accepted.add(r.path("id"));
        } else if (r.statusCode() == 503) {
            assertEquals("5", r.header("Retry-After"));
            if (r.<String>path("detail").contains("may or may not")) {
                mayHaveApplied.incrementAndGet();
            }
        }
        return r;
    }

    /** The same data folder and port each time: a restart of one server, as an operator would do it. */
    private static EmbeddedPostgres startDatabase() throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setPort(databasePort).setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

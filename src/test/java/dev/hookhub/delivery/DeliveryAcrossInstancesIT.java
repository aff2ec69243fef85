package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At-least-once across processes: the packaged jar started twice on one PostgreSQL. An instance killed
 * with SIGKILL mid-attempt loses nothing: the other, running beside it, re-claims its leases once they run
 * out, within the attempt deadline plus the lease margin (issue 16, item 6). Two live instances sharing the
 * queue send each delivery once.
 */
@EnabledIfSystemProperty(named = "hookhub.packaged-jar", matches = ".+",
        disabledReason = "runs from failsafe (mvn verify), after the jar is packaged")
class DeliveryAcrossInstancesIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** The attempt deadline the instances run with: the default, so the lease is the default one too. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** What a re-attempt may take beyond the lease: B's wake-up at the lease's end, its claim, the request. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    private static EmbeddedPostgres database;
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startDatabase() throws IOException {
        database = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    @AfterAll
    static void stopAll() throws IOException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        database.close();
        RestAssured.reset();
    }

    @Test
    void aKilledInstanceLosesNoDeliveryAndLiveInstancesSendEachOnce() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.holding();
            Instance a = start("a");
            RestAssured.port = a.port();
            Api.Tenant tenant = Api.tenant();
            Api.createSubscription(tenant, Map.of("name", "across", "url", receiver.url("/hook"),
                    "events", List.of("k.ill")));

            // A alone takes the first deliveries (4 in flight: the per-subscription bound); B starts beside it and
            // finds the subscription at its bound; A dies mid-attempt.
            for (int i = 0; i < 10; i++) {
                publish(tenant, i);
            }
            await().atMost(DEADLINE).until(() -> receiver.count() == 4);
            Instant claimed = receiver.requests().get(0).at();
            Instance b = start("b");
            Instant killed = Instant.now();
            a.process().destroyForcibly().waitFor();
            receiver.release();

            // B re-attempts A's 4 once their leases (timeout + margin) have run out, and delivers the rest.
            await().atMost(DEADLINE).until(() -> count("select count(*) from delivery where status = 'succeeded' and org_id = '" + tenant.orgId() + "'") == 10);
            Map<String, Long> received = byWebhookId(receiver);
            assertEquals(10, received.size(), "every delivery arrived");
            assertEquals(4, received.values().stream().filter(n -> n == 2).count(),
                    "only the 4 attempts cut off by the kill were sent again: " + received);
            assertEquals(4, count("select count(*) from delivery where attempts = 2 and org_id = '" + tenant.orgId() + "'"));
            List<Receiver.Received> requests = receiver.requests();
            java.util.Set<String> cutOff = requests.subList(0, 4).stream().map(r -> r.header("webhook-id"))
                    .collect(Collectors.toSet());
            Instant resumed = requests.subList(4, requests.size()).stream()
                    .filter(r -> cutOff.contains(r.header("webhook-id"))).findFirst().orElseThrow().at();
            Duration afterClaim = Duration.between(claimed, resumed);
            Duration afterKill = Duration.between(killed, resumed);
            System.out.printf("kill -9: A claimed at +0 s, was killed at +%.1f s, B re-attempted at +%.1f s (%.1f s after the kill)%n",
                    Duration.between(claimed, killed).toMillis() / 1000.0, afterClaim.toMillis() / 1000.0,
                    afterKill.toMillis() / 1000.0);
            // The lease is the attempt's deadline (15 s) plus a margin (5 s): not a minute.
            assertTrue(afterClaim.compareTo(TIMEOUT.plusSeconds(5).plus(SLACK)) <= 0, "resumed " + afterClaim + " after the claim");
            assertTrue(afterKill.compareTo(TIMEOUT.plusSeconds(5).plus(SLACK)) <= 0, "resumed " + afterKill + " after the kill");

            // Two live instances share the queue: 40 more deliveries, each sent once.
            Instance a2 = start("a2");
            RestAssured.port = a2.port();
            for (int i = 0; i < 20; i++) {
                publish(tenant, 100 + i);
            }
            RestAssured.port = b.port();
            for (int i = 0; i < 20; i++) {
                publish(tenant, 200 + i);
            }
            await().atMost(DEADLINE).until(() -> count("select count(*) from delivery where status = 'succeeded' and org_id = '" + tenant.orgId() + "'") == 50);
            Map<String, Long> all = byWebhookId(receiver);
            assertEquals(50, all.size());
            long twice = all.values().stream().filter(n -> n > 1).count();
            assertEquals(4, twice, "no delivery sent twice in normal operation");
        }
    }

    @Test
    void aStoppedInstanceRecordsItsAttemptsUnderWayBeforeItExits() throws Exception {
        // Answers a second after each request: the instance is stopped (SIGTERM) while its attempts are under way.
        try (Receiver receiver = new Receiver().delaying(Duration.ofSeconds(1))) {
            Instance c = start("c");
            RestAssured.port = c.port();
            Api.Tenant tenant = Api.tenant();
            String id = (String) Api.createSubscription(tenant, Map.of("name", "stopping", "url", receiver.url("/hook"),
                    "events", List.of("s.top"))).get("id");
            for (int i = 0; i < 4; i++) {
                given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                        .body(Map.of("type", "s.top", "payload", Map.of("i", i))).post("/v1/events").then().statusCode(202);
            }
            await().atMost(DEADLINE).until(() -> receiver.count() == 4);
            c.process().destroy();
            assertTrue(c.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "stopped within 30 s");
            // Its four attempts were recorded before the database pool closed: succeeded, not left in flight to be
            // sent again when their leases end.
            assertEquals(4, count("select count(*) from delivery where subscription_id = '" + id
                    + "' and status = 'succeeded' and attempts = 1"));
            assertEquals(4, count("select count(*) from delivery_attempt where subscription_id = '" + id + "'"));
            String log = Files.readString(Path.of("target", "instance-c.log"));
            assertTrue(log.contains("waiting up to"), "the worker waited for its attempts: " + log);
            assertTrue(!log.contains("Pool closed"), "no attempt recorded after the pool closed: " + log);
        }
    }

    private static Map<String, Long> byWebhookId(Receiver receiver) {
        return receiver.requests().stream()
                .collect(Collectors.groupingBy(r -> r.header("webhook-id"), HashMap::new, Collectors.counting()));
    }

    private static void publish(Api.Tenant tenant, int i) {
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", "k.ill", "payload", Map.of("i", i)))
                .post("/v1/events").then().statusCode(202);
    }

    private record Instance(Process process, int port) {
    }

    private static Instance start(String name) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path jar = Path.of(System.getProperty("hookhub.packaged-jar"));
        assertTrue(Files.exists(jar), "no packaged jar at " + jar);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Dquarkus.profile=test", "-Dquarkus.http.port=" + port,
                "-jar", jar.toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE"));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + database.getPort() + "/postgres");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.getJdbcUrl("postgres", "postgres"));
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        // The default deadline and the lease derived from it (timeout + lease-margin).
        env.put("HOOKHUB_DELIVERY_TIMEOUT", TIMEOUT.toString());
        File log = Path.of("target", "instance-" + name + ".log").toFile();
        Process process = builder.redirectErrorStream(true).redirectOutput(log).start();
        processes.add(process);
        Function<Integer, Boolean> ready = p -> {
            try {
                return given().port(p).get("/q/health/ready").statusCode() == 200;
            } catch (Exception e) { // not listening yet: RestAssured rethrows ConnectException unchecked
                return false;
            }
        };
        await().atMost(DEADLINE).until(() -> process.isAlive() && ready.apply(port));
        return new Instance(process, port);
    }

    private static long count(String sql) throws Exception {
        try (Connection c = database.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

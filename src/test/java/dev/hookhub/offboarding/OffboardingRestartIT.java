package dev.hookhub.offboarding;

import dev.hookhub.support.Api;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An offboarding survives its process being killed (SIGKILL) mid-way: the packaged jar on an embedded PostgreSQL
 * of this test's own (so the data outlives the process), batches of 5 and a 0.2 s answer wait so DELETE answers
 * 202 while it runs; the process is killed once the status shows progress, started again, and the new process
 * takes the job over when its lease (3 s) has run out and completes it, with counts that match what was seeded
 * (no batch counted twice, none lost) and nothing of the org left.
 */
@EnabledIfSystemProperty(named = "hookhub.packaged-jar", matches = ".+",
        disabledReason = "runs from failsafe (mvn verify), after the jar is packaged")
class OffboardingRestartIT {

    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final int SUBSCRIPTIONS = 300;
    private static final int EVENTS = 3000;
    private static final String ADMIN = "Bearer " + Api.ADMIN_TOKEN;

    private static EmbeddedPostgres database;
    private static int databasePort;
    private static Process service;
    private static Path log;

    @BeforeAll
    static void startDatabase() throws IOException {
        databasePort = freePort();
        database = EmbeddedPostgres.builder().setDataDirectory(Files.createTempDirectory("hookhub-offboarding-pg"))
                .setCleanDataDirectory(true).setPort(databasePort).setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (service != null) {
            service.destroyForcibly();
        }
        if (database != null) {
            database.close();
        }
        RestAssured.reset();
    }

    @Test
    void aKilledOffboardingResumesAfterARestartAndCompletesWithExactCounts() throws Exception {
        startService("offboarding-restart-1");
        Api.Tenant tenant = Api.tenant();
        UUID org = tenant.orgId();
        seed(org);

        Response started = given().header("Authorization", ADMIN).delete("/v1/admin/orgs/" + org);
        assertEquals(202, started.statusCode(), started.asString());
        assertEquals("/v1/admin/orgs/" + org + "/offboarding", started.header("Location"));
        assertEquals("running", started.path("status"));
        await().atMost(DEADLINE).until(() -> ((Number) given().header("Authorization", ADMIN)
                .get("/v1/admin/orgs/" + org + "/offboarding").path("removed.subscriptions")).intValue() >= 50);

        service.destroyForcibly().waitFor();
        long done = count("select subscriptions from org_offboarding where org_id = ?", org);
        assertTrue(done >= 50, "killed mid-way, after " + done + " subscriptions");
        assertEquals(1, count("select count(*) from org_offboarding where org_id = ? and status = 'running'", org));
        assertEquals(1, count("select count(*) from organization where id = ? and offboarded_at is not null"
                + " and data_key is null", org));

        startService("offboarding-restart-2");
        // Refused at once after the restart too: the org's token is checked against its state.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(401);
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> "completed".equals(
                given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + org + "/offboarding").path("status")));
        Map<String, Object> removed = given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + org + "/offboarding")
                .then().statusCode(200).extract().jsonPath().getMap("removed");
        assertEquals(SUBSCRIPTIONS, ((Number) removed.get("subscriptions")).intValue(), removed.toString());
        assertEquals(SUBSCRIPTIONS, ((Number) removed.get("tombstones")).intValue(), removed.toString());
        assertEquals(SUBSCRIPTIONS, ((Number) removed.get("attempts")).intValue(), removed.toString());
        assertEquals(EVENTS, ((Number) removed.get("events")).intValue(), removed.toString());
        assertEquals(EVENTS, ((Number) removed.get("deliveriesCancelled")).intValue(), removed.toString());
        assertEquals(1, ((Number) removed.get("clients")).intValue(), removed.toString());
        for (String table : new String[] {"organization:id", "subscription:org_id", "event:org_id", "delivery:org_id",
                "delivery_attempt:org_id", "api_client:org_id", "api_key:org_id", "event_type:org_id"}) {
            String[] t = table.split(":");
            assertEquals(0, count("select count(*) from " + t[0] + " where " + t[1] + " = ?", org), t[0]);
        }
        assertEquals(SUBSCRIPTIONS, count("select count(*) from audit where org_id = ? and action = 'subscription.delete'"
                + " and surface = 'offboarding'", org), "one audit record per subscription, none twice");
        assertEquals(1, count("select count(*) from audit where org_id = ? and action = 'org.offboard'", org));
        String output = Files.readString(Path.of("target", "offboarding-restart-2.log"));
        assertTrue(output.contains("Resuming the offboarding of org " + org), "the second process took it over");
    }

    /** Subscriptions (each with an attempt) and events, each queued to one subscription an hour from now. */
    private static void seed(UUID org) throws SQLException {
        execute("""
                insert into subscription (id, org_id, name, url, events, content_type, created_at, created_by,
                                          modified_at, modified_by)
                select gen_random_uuid(), ?, 'bulk-' || n, 'https://receiver.example.com/' || n, array['bulk.type'],
                       'application/json', now(), 'seed', now(), 'seed'
                  from generate_series(1, ?) n
                """, org, SUBSCRIPTIONS);
        execute("""
                insert into event (id, org_id, type, payload, payload_format)
                select gen_random_uuid(), ?, 'bulk.type', convert_to('{"n":' || n || '}', 'UTF8'), 'json'
                  from generate_series(1, ?) n
                """, org, EVENTS);
        execute("""
                insert into delivery (id, event_id, subscription_id, org_id, status, due_at)
                select gen_random_uuid(), e.id, s.id, e.org_id, 'queued', now() + interval '1 hour'
                  from (select id, org_id, row_number() over (order by id) as r from event where org_id = ?) e
                  join (select id, row_number() over (order by id) as r from subscription where org_id = ?) s
                    on s.r = (e.r - 1) % ? + 1
                """, org, org, SUBSCRIPTIONS);
        execute("""
                insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code,
                                              status_description, duration_ms)
                select gen_random_uuid(), s.id, gen_random_uuid(), s.org_id, now(), 200, '200 OK', 5
                  from subscription s where s.org_id = ?
                """, org);
    }

    private void startService(String name) throws IOException {
        int port = freePort();
        Path jar = Path.of(System.getProperty("hookhub.packaged-jar"));
        assertTrue(Files.exists(jar), "no packaged jar at " + jar);
        log = Path.of("target", name + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=test", "-Dquarkus.http.port=" + port, "-jar", jar.toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE") || k.startsWith("HOOKHUB_"));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + databasePort + "/postgres");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres");
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("HOOKHUB_DELIVERY_WORKER_ENABLED", "false");
        env.put("HOOKHUB_OFFBOARDING_BATCH_SIZE", "5");
        env.put("HOOKHUB_OFFBOARDING_ANSWER_WAIT", "PT0.2S");
        env.put("HOOKHUB_OFFBOARDING_LEASE", "PT3S");
        env.put("HOOKHUB_OFFBOARDING_RESUME_EVERY", "1s");
        service = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RestAssured.port = port;
        await().atMost(DEADLINE).until(() -> {
            assertTrue(service.isAlive(), "the service exited; see " + log);
            try {
                return given().get("/q/health/ready").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static Connection connect() throws SQLException {
        return database.getPostgresDatabase().getConnection();
    }

    private static void execute(String sql, Object... args) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.execute();
        }
    }

    private static long count(String sql, Object... args) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package dev.hookhub.offboarding;

import com.sun.net.httpserver.HttpServer;
import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DELETE /v1/admin/orgs/{orgId} (README, "Offboarding an org"): what is removed and kept, the credentials that
 * stop, the answers while it runs and after, and another org's deliveries going on while a large org goes.
 */
@QuarkusTest
class OrgOffboardingTest {

    private static final String ADMIN = "Bearer " + Api.ADMIN_TOKEN;
    private static final String MARKER = "payload-marker-" + UUID.randomUUID();
    /** Every table that holds rows of an org, with the column that names it. */
    private static final List<String> ORG_TABLES = List.of("organization:id", "subscription:org_id", "event:org_id",
            "delivery:org_id", "delivery_attempt:org_id", "api_client:org_id", "api_key:org_id", "event_type:org_id");

    @Test
    void anOffboardedOrgIsGoneButItsAuditTrailAndItsCredentialsNoLongerWork() {
        String name = "offboard-" + UUID.randomUUID();
        Map<String, Object> created = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", name)).post("/v1/admin/orgs").then().statusCode(201)
                .body("status", equalTo("active")).extract().jsonPath().getMap("");
        UUID org = UUID.fromString((String) created.get("id"));
        int number = ((Number) created.get("number")).intValue();
        Api.Tenant tenant = Api.client(org, number, List.of("Admin"));
        Api.Tenant viewer = Api.client(org, number, List.of("Viewer"));
        String apiKey = Api.apiKey(org);
        List<UUID> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            subscriptions.add(UUID.fromString((String) Api.createSubscription(tenant).get("id")));
        }
        UUID deletedEarlier = UUID.fromString((String) Api.createSubscription(tenant).get("id"));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + deletedEarlier).then().statusCode(204);
        // Three events of a type no subscription lists (so no worker touches them); their deliveries are seeded: two
        // events queued for an hour from now to every subscription, one delivered, with its attempts.
        List<UUID> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(UUID.fromString(given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", "audit.only", "payload", Map.of("note", MARKER)))
                    .post("/v1/events").then().statusCode(202).extract().path("id")));
        }
        for (UUID subscription : subscriptions) {
            for (int e = 0; e < 2; e++) {
                delivery(events.get(e), subscription, org, "queued");
            }
            UUID delivered = delivery(events.get(2), subscription, org, "succeeded");
            attempt(delivered, subscription, events.get(2), org);
        }
        attempt(null, deletedEarlier, events.get(2), org);
        attempt(null, deletedEarlier, events.get(2), org);
        long auditBefore = Database.count("select count(*) from audit where org_id = ?", org);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);

        Response answer = given().header("Authorization", ADMIN).delete("/v1/admin/orgs/" + org);
        answer.then().statusCode(200).contentType(containsString("application/json"))
                .body("orgId", equalTo(org.toString()))
                .body("status", equalTo("completed"))
                .body("step", equalTo("done"))
                .body("requestedBy", equalTo("operator"))
                .body("startedAt", notNullValue())
                .body("finishedAt", notNullValue())
                .body("removed.subscriptions", is(3))
                .body("removed.deliveriesCancelled", is(6))
                .body("removed.deliveries", is(3))
                .body("removed.events", is(3))
                .body("removed.attempts", is(5))
                .body("removed.tombstones", is(4))
                .body("removed.clients", is(2))
                .body("removed.apiKeys", is(1))
                .body("removed.eventTypes", is(3));
        Instant started = Instant.parse(answer.path("startedAt"));
        Instant finished = Instant.parse(answer.path("finishedAt"));
        assertFalse(finished.isBefore(started), started + " then " + finished);

        // Nothing of the org is left but its audit trail, which never held a payload.
        for (String table : ORG_TABLES) {
            String[] t = table.split(":");
            assertEquals(0, Database.count("select count(*) from " + t[0] + " where " + t[1] + " = ?", org), t[0]);
        }
        List<UUID> allSubscriptions = new ArrayList<>(subscriptions);
        allSubscriptions.add(deletedEarlier);
        for (UUID subscription : allSubscriptions) {
            assertEquals(0, Database.count("select count(*) from signing_secret where subscription_id = ?", subscription));
            assertEquals(0, Database.count("select count(*) from delivery_attempt where subscription_id = ?", subscription));
        }
        for (UUID event : events) {
            assertEquals(0, Database.count("select count(*) from delivery where event_id = ?", event));
        }
        List<Map<String, Object>> audit = Database.query("select * from audit where org_id = ? order by id", org);
        assertEquals(auditBefore + 3 + 1, audit.size(), "the records before, one per deleted subscription, and org.offboard");
        assertTrue(audit.stream().noneMatch(row -> row.toString().contains(MARKER)), "no payload in the audit trail");
        assertEquals(3, audit.stream().filter(row -> "subscription.delete".equals(row.get("action"))
                && "offboarding".equals(row.get("surface"))).count());
        Map<String, Object> offboard = audit.get(audit.size() - 1);
        assertEquals("org.offboard", offboard.get("action"));
        assertEquals("operator", offboard.get("actor"));
        assertEquals("v1-admin", offboard.get("surface"));
        assertEquals("{\"subscriptions\":3,\"deliveriesCancelled\":6,\"deliveries\":3,\"events\":3,\"attempts\":5,"
                + "\"tombstones\":4,\"clients\":2,\"apiKeys\":1,\"eventTypes\":3}", offboard.get("target"));

        // Its tokens, clients and key are refused; the org is gone for every later call.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(401);
        given().header("Authorization", viewer.bearer()).get("/v1/subscriptions").then().statusCode(401);
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret()).formParam("grant_type", "client_credentials")
                .post("/oauth/token").then().statusCode(401);
        given().header("x-api-key", apiKey).delete("/webhooks/unregister/" + subscriptions.get(0)).then().statusCode(401);
        given().header("Authorization", ADMIN).delete("/v1/admin/orgs/" + org).then().statusCode(404)
                .contentType(containsString("application/problem+json")).body("status", is(404));
        given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + org + "/clients").then().statusCode(404);
        given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + org + "/offboarding").then().statusCode(200)
                .body("status", equalTo("completed")).body("removed.events", is(3));

        // A new org of the same name starts empty.
        Map<String, Object> again = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", name)).post("/v1/admin/orgs").then().statusCode(201).extract().jsonPath().getMap("");
        UUID newOrg = UUID.fromString((String) again.get("id"));
        assertFalse(newOrg.equals(org));
        Api.Tenant fresh = Api.client(newOrg, ((Number) again.get("number")).intValue(), List.of("Admin"));
        given().header("Authorization", fresh.bearer()).get("/v1/subscriptions").then().statusCode(200).body("items", hasSize(0));
        given().header("Authorization", fresh.bearer()).get("/v1/events/" + events.get(0)).then().statusCode(404);
        given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + newOrg + "/clients").then().statusCode(200)
                .body("items", hasSize(1));
    }

    @Test
    void badRequestsAreRefusedInTheRoutesFormat() {
        given().header("Authorization", ADMIN).delete("/v1/admin/orgs/not-a-uuid").then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("status", is(400)).body("detail", containsString("orgId"));
        byte[] body = given().header("Authorization", ADMIN).accept("application/x-msgpack")
                .delete("/v1/admin/orgs/not-a-uuid").then().statusCode(400)
                .contentType(containsString("application/x-msgpack")).extract().asByteArray();
        Map<String, Object> problem = Msgpack.decodeMap(body);
        assertEquals(400L, ((Number) problem.get("status")).longValue());
        assertTrue(((String) problem.get("detail")).contains("orgId"), problem.toString());
        UUID unknown = UUID.randomUUID();
        given().header("Authorization", ADMIN).delete("/v1/admin/orgs/" + unknown).then().statusCode(404)
                .body("status", is(404));
        byte[] notFound = given().header("Authorization", ADMIN).queryParam("format", "msgpack")
                .get("/v1/admin/orgs/" + unknown + "/offboarding").then().statusCode(404)
                .contentType(containsString("application/x-msgpack")).extract().asByteArray();
        assertEquals(404L, ((Number) Msgpack.decodeMap(notFound).get("status")).longValue());
        given().header("Authorization", ADMIN).get("/v1/admin/orgs/bad/offboarding").then().statusCode(400);
        given().delete("/v1/admin/orgs/" + unknown).then().statusCode(401);
        Api.Tenant tenant = Api.tenant();
        given().header("Authorization", tenant.bearer()).delete("/v1/admin/orgs/" + tenant.orgId()).then().statusCode(401);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        assertEquals(0, Database.count("select count(*) from org_offboarding where org_id = ?", tenant.orgId()));
    }

    /**
     * A larger org (3,000 subscriptions, 30,000 events with a delivery each, seeded with SQL; batches of the test
     * profile's size) goes while another org's events keep arriving at a loopback receiver: they keep arriving
     * during it, a second DELETE meanwhile is 409, the status shows the org as offboarding with its progress, and
     * it completes with the counts seeded.
     */
    @Test
    void aLargeOrgGoesInBatchesWhileAnotherOrgsDeliveriesGoOn() throws Exception {
        List<Instant> arrivals = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            arrivals.add(Instant.now());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        AtomicBoolean publishing = new AtomicBoolean(true);
        try {
            Api.Tenant other = Api.tenant();
            Api.createSubscription(other, Map.of("name", "steady", "events", List.of("steady.tick"),
                    "url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
            Api.Tenant big = Api.tenant();
            int subscriptions = 3000;
            int events = 30_000;
            seed(big.orgId(), subscriptions, events);
            Database.query("update organization set data_key = ? where id = ?", new byte[] {1, 2, 3}, big.orgId());

            Thread publisher = new Thread(() -> {
                while (publishing.get()) {
                    given().header("Authorization", other.bearer()).contentType(ContentType.JSON)
                            .body(Map.of("type", "steady.tick", "payload", Map.of("n", 1))).post("/v1/events")
                            .then().statusCode(202);
                    pause(Duration.ofMillis(20));
                }
            });
            publisher.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> arrivals.size() >= 10);

            Instant start = Instant.now();
            CompletableFuture<Response> first = CompletableFuture.supplyAsync(() ->
                    given().header("Authorization", ADMIN).delete("/v1/admin/orgs/" + big.orgId()));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Database.count("select count(*) from org_offboarding where org_id = ?", big.orgId()) == 1);
            // While it runs: a second DELETE is 409, the org reads as offboarding, its data key is gone at once.
            given().header("Authorization", ADMIN).delete("/v1/admin/orgs/" + big.orgId()).then().statusCode(409)
                    .contentType(containsString("application/problem+json")).body("status", is(409))
                    .body("detail", containsString("/v1/admin/orgs/" + big.orgId() + "/offboarding"));
            Map<String, Object> row = Database.query("select data_key, offboarded_at from organization where id = ?",
                    big.orgId()).get(0);
            assertEquals(null, row.get("data_key"));
            assertTrue(row.get("offboarded_at") != null);
            given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + big.orgId() + "/offboarding").then()
                    .statusCode(200).body("status", equalTo("running")).body("finishedAt", nullValue());
            given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + big.orgId() + "/clients").then().statusCode(404);
            given().header("Authorization", big.bearer()).get("/v1/subscriptions").then().statusCode(401);

            Response answer = first.get();
            assertTrue(answer.statusCode() == 200 || answer.statusCode() == 202, answer.asString());
            if (answer.statusCode() == 202) {
                assertEquals("/v1/admin/orgs/" + big.orgId() + "/offboarding", answer.header("Location"));
                assertEquals("running", answer.path("status"));
            }
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> "completed".equals(
                    given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + big.orgId() + "/offboarding").path("status")));
            Instant end = Instant.now();
            Map<String, Object> removed = given().header("Authorization", ADMIN)
                    .get("/v1/admin/orgs/" + big.orgId() + "/offboarding").then().extract().jsonPath().getMap("removed");
            assertEquals(subscriptions, ((Number) removed.get("subscriptions")).intValue());
            assertEquals(subscriptions, ((Number) removed.get("tombstones")).intValue());
            assertEquals(events, ((Number) removed.get("events")).intValue());
            assertEquals(events, ((Number) removed.get("deliveries")).intValue());
            assertEquals(subscriptions, ((Number) removed.get("attempts")).intValue());
            for (String table : ORG_TABLES) {
                String[] t = table.split(":");
                assertEquals(0, Database.count("select count(*) from " + t[0] + " where " + t[1] + " = ?", big.orgId()), t[0]);
            }
            long during = arrivals.stream().filter(at -> !at.isBefore(start) && !at.isAfter(end)).count();
            long seconds = Math.max(1, Duration.between(start, end).toSeconds());
            System.out.printf("Offboarding %d subscriptions and %d events took %d ms; the other org's receiver got %d"
                    + " deliveries meanwhile%n", subscriptions, events, Duration.between(start, end).toMillis(), during);
            assertTrue(during >= seconds, "the other org's deliveries went on: " + during + " in " + seconds + " s");
        } finally {
            publishing.set(false);
            receiver.stop(0);
        }
    }

    /** The org's subscriptions (live, each with a secret and an attempt) and events (one delivered delivery each). */
    private static void seed(UUID org, int subscriptions, int events) {
        Database.query("""
                insert into subscription (id, org_id, name, url, events, content_type, created_at, created_by,
                                          modified_at, modified_by)
                select gen_random_uuid(), ?, 'bulk-' || n, 'https://receiver.example.com/' || n, array['bulk.type'],
                       'application/json', now(), 'seed', now(), 'seed'
                  from generate_series(1, ?) n
                """, org, subscriptions);
        Database.query("""
                insert into signing_secret (id, subscription_id, key_id, ciphertext)
                select gen_random_uuid(), s.id, 'whk_' || replace(s.id::text, '-', ''), '\\x00'::bytea
                  from subscription s where s.org_id = ?
                """, org);
        Database.query("""
                insert into event (id, org_id, type, payload, payload_format, created_at)
                select gen_random_uuid(), ?, 'bulk.type', convert_to('{"n":' || n || '}', 'UTF8'), 'json',
                       now() - n * interval '1 millisecond'
                  from generate_series(1, ?) n
                """, org, events);
        Database.query("""
                insert into delivery (id, event_id, subscription_id, org_id, status, attempts, completed_at)
                select gen_random_uuid(), e.id, s.id, e.org_id, 'succeeded', 1, now()
                  from (select id, org_id, row_number() over (order by id) as r from event where org_id = ?) e
                  join (select id, row_number() over (order by id) as r from subscription where org_id = ?) s
                    on s.r = (e.r - 1) % ? + 1
                """, org, org, subscriptions);
        Database.query("""
                insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code,
                                              status_description, duration_ms)
                select gen_random_uuid(), s.id, gen_random_uuid(), s.org_id, now(), 200, '200 OK', 5
                  from subscription s where s.org_id = ?
                """, org);
        Database.query("analyze subscription; analyze event; analyze delivery; analyze delivery_attempt");
    }

    private static UUID delivery(UUID event, UUID subscription, UUID org, String status) {
        UUID id = UUID.randomUUID();
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at, completed_at)"
                + " values (?, ?, ?, ?, ?, now() + interval '1 hour', case when ? = 'succeeded' then now() end)",
                id, event, subscription, org, status, status);
        return id;
    }

    private static void attempt(UUID delivery, UUID subscription, UUID event, UUID org) {
        Database.query("insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,"
                + " status_code, status_description, duration_ms) values (?, ?, ?, ?, ?, now(), 200, '200 OK', 7)",
                UUID.randomUUID(), delivery, subscription, event, org);
    }

    /** The publisher's pace: a wait on a monitor with a deadline, not a sleep of the test thread. */
    private static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
    }
}

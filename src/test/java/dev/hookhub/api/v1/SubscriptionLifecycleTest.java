package dev.hookhub.api.v1;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /v1 subscriptions as a client uses them: create, read, list, change, rotate, delete — and the database after. */
@QuarkusTest
class SubscriptionLifecycleTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";

    @Test
    void createAnswersEveryFieldAndTheSecretOnce() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> body = Map.of("name", "orders", "description", "order events", "code", "ord-1",
                "url", "https://receiver.example.com/orders", "events", List.of("order.created", "order.paid"),
                "contentType", "application/x-msgpack", "headers", Map.of("X-Team", "billing"));
        var created = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/subscriptions")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/v1/subscriptions/[0-9a-f-]{36}"))
                .header("Vary", "Accept")
                .contentType(ContentType.JSON)
                .body("id", matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
                .body("number", notNullValue())
                .body("orgId", equalTo(tenant.orgId().toString()))
                .body("name", equalTo("orders"))
                .body("description", equalTo("order events"))
                .body("code", equalTo("ord-1"))
                .body("url", equalTo("https://receiver.example.com/orders"))
                .body("events", equalTo(List.of("order.created", "order.paid")))
                .body("contentType", equalTo("application/x-msgpack"))
                .body("headers", equalTo(Map.of("X-Team", "billing")))
                .body("active", is(true))
                .body("version", is(1))
                .body("createdAt", matchesPattern(ISO_UTC))
                .body("createdBy", equalTo("client:" + tenant.clientId()))
                .body("modifiedAt", matchesPattern(ISO_UTC))
                .body("modifiedBy", equalTo("client:" + tenant.clientId()))
                .body("deletedAt", nullValue())
                .body("deletedBy", nullValue())
                .body("lastHttpSuccess", nullValue())
                .body("lastHttpFail", nullValue())
                .body("ownerPublicKey", nullValue())
                .body("secret", startsWith("whsec_"))
                .extract().jsonPath();
        String secret = created.getString("secret");
        int secretBytes = Base64.getDecoder().decode(secret.substring("whsec_".length())).length;
        assertTrue(secretBytes >= 24 && secretBytes <= 64, "secret is base64 of 24-64 bytes");
        assertTrue(created.getLong("number") > 0);

        String id = created.getString("id");
        Api.getSubscription(tenant, id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("secret", nullValue())
                .body("name", equalTo("orders"));

        // The secret is stored encrypted: nowhere in the database in plaintext.
        assertFalse(Database.query("select * from signing_secret").toString().contains(secret.substring(6, 20)));
        byte[] ciphertext = (byte[]) Database.query("select ciphertext from signing_secret where subscription_id = ?",
                UUID.fromString(id)).get(0).get("ciphertext");
        assertFalse(new String(ciphertext, java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret));
        // Event types got their numbers on first use.
        assertEquals(2, Database.count("select count(*) from event_type where org_id = ? and name in ('order.created','order.paid')",
                tenant.orgId()));
    }

    @Test
    void aCallerGivenSecretIsKeptAndMustBeWellFormed() {
        Api.Tenant tenant = Api.tenant();
        String given = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        Map<String, Object> body = new java.util.HashMap<>(Api.subscriptionBody("given"));
        body.put("secret", given);
        assertEquals(given, Api.createSubscription(tenant, body).get("secret"));

        body.put("secret", "not-a-secret");
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/subscriptions").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("secret"));
    }

    @Test
    void listPagesWithACursor() {
        Api.Tenant tenant = Api.tenant();
        for (int i = 0; i < 5; i++) {
            Api.createSubscription(tenant);
        }
        var first = given().header("Authorization", tenant.bearer()).queryParam("limit", 2).get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(2)).body("nextCursor", notNullValue()).extract().jsonPath();
        var second = given().header("Authorization", tenant.bearer()).queryParam("limit", 2)
                .queryParam("cursor", first.getString("nextCursor")).get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(2)).extract().jsonPath();
        var third = given().header("Authorization", tenant.bearer()).queryParam("limit", 2)
                .queryParam("cursor", second.getString("nextCursor")).get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(1)).body("nextCursor", nullValue()).extract().jsonPath();
        List<String> ids = new java.util.ArrayList<>(first.getList("items.id"));
        ids.addAll(second.getList("items.id"));
        ids.addAll(third.getList("items.id"));
        assertEquals(5, ids.stream().distinct().count());
        assertEquals(ids.stream().sorted().toList(), ids, "creation order (time-ordered ids)");

        given().header("Authorization", tenant.bearer()).queryParam("cursor", "garbage!").get("/v1/subscriptions")
                .then().statusCode(400).body("detail", containsWord("cursor"));
        given().header("Authorization", tenant.bearer()).queryParam("limit", 0).get("/v1/subscriptions")
                .then().statusCode(400).body("detail", containsWord("limit"));
        given().header("Authorization", tenant.bearer()).queryParam("limit", "ten").get("/v1/subscriptions")
                .then().statusCode(400).body("detail", containsWord("limit"));
    }

    @Test
    void patchChangesGivenFieldsAndBumpsTheVersion() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        String id = (String) created.get("id");
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("name", "renamed", "events", List.of("invoice.paid"), "active", false))
                .patch("/v1/subscriptions/" + id)
                .then().statusCode(200)
                .body("name", equalTo("renamed"))
                .body("events", equalTo(List.of("invoice.paid")))
                .body("active", is(false))
                .body("url", equalTo(created.get("url")))
                .body("version", is(2));
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("url", "ftp://nope"))
                .patch("/v1/subscriptions/" + id)
                .then().statusCode(400).body("errors[0].field", equalTo("url"));
        Api.getSubscription(tenant, id).then().body("version", is(2)).body("url", equalTo(created.get("url")));
    }

    @Test
    void rotateKeepsThePreviousSecretForTheOverlap() {
        Api.Tenant tenant = Api.tenant();
        String id = (String) Api.createSubscription(tenant).get("id");
        var rotation = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of())
                .post("/v1/subscriptions/" + id + "/secret/rotate")
                .then().statusCode(200)
                .body("secret", startsWith("whsec_"))
                .body("keyId", startsWith("whk_"))
                .body("previousSecretsValidUntil", matchesPattern(ISO_UTC))
                .extract().jsonPath();
        Instant until = Instant.parse(rotation.getString("previousSecretsValidUntil"));
        assertTrue(until.isAfter(Instant.now().plusSeconds(23 * 3600)), "24 h overlap by default");
        var rows = Database.query("select key_id, expires_at from signing_secret where subscription_id = ? order by created_at",
                UUID.fromString(id));
        assertEquals(2, rows.size());
        assertNotNull(rows.get(0).get("expires_at"));
        assertEquals(rotation.getString("keyId"), rows.get(1).get("key_id"));
    }

    @Test
    void deleteRunsEveryStepOfTheCore() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant, Map.of("name", "to-delete", "code", "unique-code",
                "url", "https://receiver.example.com/x", "events", List.of("a.b")));
        UUID id = UUID.fromString((String) created.get("id"));
        UUID eventId = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format) values (?, ?, 'a.b', '\\x7b7d'::bytea, 'json')",
                eventId, tenant.orgId());
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at)"
                + " values (?, ?, ?, ?, 'queued', now() + interval '1 hour')", UUID.randomUUID(), eventId, id, tenant.orgId());
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status) values (?, ?, ?, ?, 'succeeded')",
                UUID.randomUUID(), eventId, id, tenant.orgId());

        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id)
                .then().statusCode(204).header("Vary", "Accept");

        Map<String, Object> row = Database.query("select * from subscription where id = ?", id).get(0);
        assertNotNull(row.get("deleted_at"));
        assertEquals("client:" + tenant.clientId(), row.get("deleted_by"));
        assertEquals(false, row.get("active"));
        assertEquals(1, row.get("version"), "a delete does not bump the version");
        assertEquals(0, Database.count("select count(*) from signing_secret where subscription_id = ?", id), "crypto-shredded");
        assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ? and status = 'queued'", id));
        assertEquals(1, Database.count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'", id));
        List<Map<String, Object>> audits = Database.query("select * from audit where subscription_id = ? order by id", id);
        Map<String, Object> audit = audits.get(audits.size() - 1);
        assertEquals("subscription.delete", audit.get("action"), "the last record of it is its delete");
        assertEquals(1, audits.stream().filter(a -> "subscription.delete".equals(a.get("action"))).count());
        assertEquals("v1", audit.get("surface"));
        assertEquals("client:" + tenant.clientId(), audit.get("actor"));
        assertNotNull(audit.get("remote_address"));

        Api.getSubscription(tenant, id).then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(404);
        // Its code is free again at once.
        Api.createSubscription(tenant, Map.of("name", "again", "code", "unique-code",
                "url", "https://receiver.example.com/x", "events", List.of("a.b")));
    }

    @Test
    void aLiveCodeIsUniqueWithinTheOrg() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> body = Map.of("name", "a", "code", "dup", "url", "https://r.example.com", "events", List.of("e"));
        Api.createSubscription(tenant, body);
        long before = Database.count("select count(*) from subscription where org_id = ?", tenant.orgId());
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(body)
                .post("/v1/subscriptions").then().statusCode(409).body("detail", containsWord("dup"));
        assertEquals(before, Database.count("select count(*) from subscription where org_id = ?", tenant.orgId()));
        assertEquals(before, Database.count("select count(*) from signing_secret s join subscription u on u.id = s.subscription_id where u.org_id = ?",
                tenant.orgId()));
    }

    static org.hamcrest.Matcher<String> containsWord(String word) {
        return org.hamcrest.Matchers.containsString(word);
    }
}

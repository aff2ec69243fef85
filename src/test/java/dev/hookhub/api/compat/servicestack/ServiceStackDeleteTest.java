package dev.hookhub.api.compat.servicestack;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.MGF1ParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ServiceStack (PwC report filing) dialect, walked along seeds/servicestack-pwc-delete-subscription.txt:
 * the request DTO (Id, Secret), the response DTO (Subscription, History, ResponseStatus), the
 * WebhookSubscription, SubscriptionConfig and SubscriptionDeliveryResult fields, the format overrides,
 * and the database after every answer.
 */
@QuarkusTest
class ServiceStackDeleteTest {

    private static final String JSON = "application/json";
    private static final String MSGPACK = "application/x-msgpack";
    private static final String FORM = "application/x-www-form-urlencoded";

    // ---- 200 -------------------------------------------------------------------------------

    @Test
    void deleteAnswersTheSubscriptionWithItsSealedSecretAndHistory() throws Exception {
        Api.Tenant tenant = Api.tenant();
        KeyPair owner = rsaKeyPair();
        Map<String, Object> created = create(tenant, pem(owner));
        UUID id = UUID.fromString((String) created.get("id"));
        String secret = (String) created.get("secret");
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "order.created");
        // History ("SubscriptionDeliveryResult"), inserted oldest to newest, one per kind of status.
        Instant base = Instant.parse("2024-03-01T10:00:00.123456Z");
        Object[][] attempts = {
                {100, "Continue"}, {200, "OK"}, {302, "Found"}, {404, "NotFound"}, {429, "TooManyRequests"},
                {500, "InternalServerError"}, {299, "299"}, {null, null}};
        UUID[] attemptIds = new UUID[attempts.length];
        UUID[] eventIds = new UUID[attempts.length];
        for (int i = 0; i < attempts.length; i++) {
            attemptIds[i] = UUID.randomUUID();
            eventIds[i] = UUID.randomUUID();
            attempt(attemptIds[i], tenant.orgId(), id, eventIds[i], base.plusSeconds(i), (Integer) attempts[i][0],
                    attempts[i][0] == null ? "connection refused" : "status " + attempts[i][0]);
        }

        Response response = given().contentType(JSON).body(Map.of("id", id.toString(), "secret", secret))
                .post("/sync/webhooks/subscriptions/" + id + "/delete");
        response.then().statusCode(200)
                .contentType(JSON)
                .header("Vary", "Accept")
                // Subscription: WebhookSubscription
                .body("subscription.id", equalTo(id.toString()))
                .body("subscription.name", equalTo(created.get("name")))
                .body("subscription.event", equalTo("order.created"))
                .body("subscription.isActive", equalTo(true))
                .body("subscription.createdDateUtc", equalTo("/Date(" + millis("created_at", id) + "-0000)/"))
                .body("subscription.createdById", equalTo("client:" + tenant.clientId()))
                .body("subscription.lastModifiedDateUtc", equalTo("/Date(" + millis("modified_at", id) + "-0000)/"))
                // Config: SubscriptionConfig
                .body("subscription.config.url", equalTo(created.get("url")))
                .body("subscription.config.contentType", equalTo("application/json"));

        Map<String, Object> body = response.jsonPath().getMap("");
        assertEquals(List.of("subscription", "history"), List.copyOf(body.keySet()), "no responseStatus on success");
        // "The secret of the webhook subscription is encrypted and can only be decrypted by the owner of the private key."
        String sealed = response.jsonPath().getString("subscription.config.secret");
        assertEquals(secret, unseal(owner, sealed));
        assertFalse(response.asString().contains(secret), "the plaintext secret is never in the answer");
        // ServiceStack writes its dates with escaped slashes, exactly so.
        assertTrue(response.asString().contains(
                "\"createdDateUtc\":\"\\/Date(" + millis("created_at", id) + "-0000)\\/\""), response.asString());

        // History: List<SubscriptionDeliveryResult>, newest first.
        List<Map<String, Object>> history = response.jsonPath().getList("history");
        assertEquals(attempts.length, history.size());
        for (int h = 0; h < history.size(); h++) {
            int i = attempts.length - 1 - h;
            Map<String, Object> entry = history.get(h);
            assertEquals("/Date(" + base.plusSeconds(i).toEpochMilli() + "-0000)/", entry.get("attemptedDateUtc"));
            assertEquals(attemptIds[i].toString(), entry.get("id"));
            assertEquals(eventIds[i].toString(), entry.get("eventId"));
            assertEquals(id.toString(), entry.get("subscriptionId"));
            if (attempts[i][0] == null) {
                assertFalse(entry.containsKey("statusCode"), "no response, no statusCode: " + entry);
                assertEquals("connection refused", entry.get("statusDescription"));
            } else {
                assertEquals(attempts[i][1], entry.get("statusCode"));
                assertEquals("status " + attempts[i][0], entry.get("statusDescription"));
            }
        }

        assertTombstoned(id);
        // Gone for every later read and delete.
        Api.getSubscription(tenant, id).then().statusCode(404);
        given().contentType(JSON).body(Map.of("id", id.toString(), "secret", secret))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(404).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("NotFound"));
    }

    @Test
    void historyIsNewestFirstAndCappedAt100() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        Database.query("insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,"
                + " status_code, status_description, duration_ms) select gen_random_uuid(), null, ?, gen_random_uuid(), ?,"
                + " timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute', 200, 'attempt ' || n, 5"
                + " from generate_series(1, 105) n", id, tenant.orgId());

        List<Map<String, Object>> history = deleteJson(id, (String) created.get("secret"))
                .then().statusCode(200).extract().jsonPath().getList("history");
        assertEquals(100, history.size(), "at most hookhub.servicestack.history-limit (100)");
        assertEquals("attempt 105", history.get(0).get("statusDescription"));
        assertEquals("attempt 6", history.get(99).get("statusDescription"));
        assertEquals("OK", history.get(0).get("statusCode"));
    }

    @Test
    void withoutAnOwnerKeyTheConfigHasNoSecretAndHistoryIsEmpty() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        Response response = deleteJson(id, (String) created.get("secret"));
        response.then().statusCode(200).body("subscription.config.url", equalTo(created.get("url")));
        Map<String, Object> config = response.jsonPath().getMap("subscription.config");
        assertEquals(List.of("url", "contentType"), List.copyOf(config.keySet()), "no secret without an owner key");
        assertEquals(List.of(), response.jsonPath().getList("history"));
    }

    @Test
    void messagePackRequestAndAnswerUseMessagePackTimestamps() throws Exception {
        Api.Tenant tenant = Api.tenant();
        KeyPair owner = rsaKeyPair();
        Map<String, Object> created = create(tenant, pem(owner));
        UUID id = UUID.fromString((String) created.get("id"));
        String secret = (String) created.get("secret");
        Instant attemptedAt = Instant.parse("2024-05-06T07:08:09.123456Z");
        attempt(UUID.randomUUID(), tenant.orgId(), id, UUID.randomUUID(), attemptedAt, 503, "Service Unavailable");

        // The seed's sample request: Accept and Content-Type application/x-msgpack; names in any case.
        byte[] bytes = given().contentType(MSGPACK).accept(MSGPACK)
                .body(Msgpack.encode(Map.of("ID", id.toString(), "Secret", secret)))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(200).contentType(MSGPACK).extract().asByteArray();
        assertTrue(Msgpack.containsTimestampExtension(bytes));
        Map<String, Object> body = Msgpack.decodeMap(bytes);
        assertFalse(body.containsKey("responseStatus"));
        Map<?, ?> subscription = (Map<?, ?>) body.get("subscription");
        assertEquals(id.toString(), subscription.get("id"));
        assertEquals(true, subscription.get("isActive"));
        assertEquals("order.created", subscription.get("event"));
        assertEquals(Database.subscriptionTime(id, "created_at"), subscription.get("createdDateUtc"));
        assertEquals(Database.subscriptionTime(id, "modified_at"), subscription.get("lastModifiedDateUtc"));
        assertEquals("client:" + tenant.clientId(), subscription.get("createdById"));
        Map<?, ?> config = (Map<?, ?>) subscription.get("config");
        assertEquals(secret, unseal(owner, (String) config.get("secret")));
        List<?> history = (List<?>) body.get("history");
        Map<?, ?> entry = (Map<?, ?>) history.get(0);
        assertEquals(attemptedAt, entry.get("attemptedDateUtc"));
        assertEquals("ServiceUnavailable", entry.get("statusCode"));
        assertTombstoned(id);
    }

    @Test
    void aFormBodyWithMixedCaseNamesIsAccepted() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        String secret = (String) created.get("secret");
        given().contentType(FORM)
                .body("iD=" + id + "&sEcReT=" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(200).body("subscription.id", equalTo(id.toString()));
        assertTombstoned(id);
    }

    @Test
    void thePredefinedRoutesTakeIdAndSecretFromTheBody() {
        Api.Tenant tenant = Api.tenant();
        // POST /json/reply/DeleteWebhookSubscription answers JSON whatever the Accept header says.
        Map<String, Object> a = Api.createSubscription(tenant);
        given().contentType(JSON).accept(MSGPACK).body(Map.of("Id", a.get("id"), "Secret", a.get("secret")))
                .post("/json/reply/DeleteWebhookSubscription")
                .then().statusCode(200).contentType(JSON).body("subscription.id", equalTo(a.get("id")));
        // POST /x-msgpack/reply/DeleteWebhookSubscription answers MessagePack.
        Map<String, Object> b = Api.createSubscription(tenant);
        byte[] bytes = given().contentType(JSON).body(Map.of("id", b.get("id"), "secret", b.get("secret")))
                .post("/x-msgpack/reply/DeleteWebhookSubscription")
                .then().statusCode(200).contentType(MSGPACK).extract().asByteArray();
        assertEquals(b.get("id"), ((Map<?, ?>) Msgpack.decodeMap(bytes).get("subscription")).get("id"));
        // POST /api/DeleteWebhookSubscription, a form as ServiceStack's own clients send.
        Map<String, Object> c = Api.createSubscription(tenant);
        given().contentType(FORM).formParam("Id", c.get("id")).formParam("Secret", c.get("secret"))
                .post("/api/DeleteWebhookSubscription")
                .then().statusCode(200).contentType(JSON).body("subscription.id", equalTo(c.get("id")));
        for (Map<String, Object> deleted : List.of(a, b, c)) {
            assertTombstoned(UUID.fromString((String) deleted.get("id")));
        }
    }

    @Test
    void theMsgpackSuffixAndFormatParameterOverrideAccept() {
        // "To override the Content-type in your clients, use the HTTP Accept Header, append the .x-msgpack
        // suffix or ?format=x-msgpack"
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> a = Api.createSubscription(tenant);
        byte[] bySuffix = given().contentType(JSON).accept(JSON).body(Map.of("secret", a.get("secret")))
                .post("/sync/webhooks/subscriptions/" + a.get("id") + "/delete.x-msgpack")
                .then().statusCode(200).contentType(MSGPACK).extract().asByteArray();
        assertEquals(a.get("id"), ((Map<?, ?>) Msgpack.decodeMap(bySuffix).get("subscription")).get("id"));
        Map<String, Object> b = Api.createSubscription(tenant);
        byte[] byParameter = given().contentType(JSON).accept(JSON).queryParam("format", "x-msgpack")
                .body(Map.of("secret", b.get("secret")))
                .post("/sync/webhooks/subscriptions/" + b.get("id") + "/delete")
                .then().statusCode(200).contentType(MSGPACK).extract().asByteArray();
        assertEquals(b.get("id"), ((Map<?, ?>) Msgpack.decodeMap(byParameter).get("subscription")).get("id"));
    }

    // ---- 400 -------------------------------------------------------------------------------

    @Test
    void aMissingSecretIs400NotEmpty() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        for (String body : List.of("{\"id\":\"" + id + "\"}", "{\"id\":\"" + id + "\",\"secret\":\"\"}", "{}", "")) {
            Response response = given().contentType(JSON).body(body).post("/sync/webhooks/subscriptions/" + id + "/delete");
            response.then().statusCode(400).contentType(JSON)
                    .body("responseStatus.errorCode", equalTo("NotEmpty"))
                    .body("responseStatus.message", equalTo("'Secret' must not be empty."))
                    .body("responseStatus.errors[0].errorCode", equalTo("NotEmpty"))
                    .body("responseStatus.errors[0].fieldName", equalTo("Secret"))
                    .body("responseStatus.errors[0].message", equalTo("'Secret' must not be empty."));
            assertEquals(List.of("responseStatus"), List.copyOf(response.jsonPath().getMap("").keySet()));
            assertFalse(response.asString().contains("stackTrace"));
        }
        // The same error in MessagePack when MessagePack is asked for.
        byte[] bytes = given().contentType(MSGPACK).accept(MSGPACK).body(Msgpack.encode(Map.of("id", id.toString())))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(400).contentType(MSGPACK).extract().asByteArray();
        Map<?, ?> status = (Map<?, ?>) Msgpack.decodeMap(bytes).get("responseStatus");
        assertEquals("NotEmpty", status.get("errorCode"));
        assertEquals(Map.of("errorCode", "NotEmpty", "fieldName", "Secret", "message", "'Secret' must not be empty."),
                ((List<?>) status.get("errors")).get(0));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void aMissingOrMalformedIdIs400WithAFieldError() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        String secret = (String) created.get("secret");

        given().contentType(JSON).body(Map.of("secret", secret)).post("/json/reply/DeleteWebhookSubscription")
                .then().statusCode(400)
                .body("responseStatus.errors[0].errorCode", equalTo("NotEmpty"))
                .body("responseStatus.errors[0].fieldName", equalTo("Id"))
                .body("responseStatus.errors[0].message", equalTo("'Id' must not be empty."));
        // Both fields missing: both listed, in DTO order.
        given().contentType(JSON).body("{}").post("/api/DeleteWebhookSubscription")
                .then().statusCode(400)
                .body("responseStatus.errors.fieldName", equalTo(List.of("Id", "Secret")));
        given().contentType(JSON).body(Map.of("id", "not-a-uuid", "secret", secret))
                .post("/json/reply/DeleteWebhookSubscription")
                .then().statusCode(400)
                .body("responseStatus.errors[0].errorCode", equalTo("InvalidFormat"))
                .body("responseStatus.errors[0].fieldName", equalTo("Id"))
                .body("responseStatus.errors[0].message", startsWith("'Id' must be a webhook subscription id"));
        given().contentType(JSON).body(Map.of("secret", secret))
                .post("/sync/webhooks/subscriptions/not-a-uuid/delete")
                .then().statusCode(400).body("responseStatus.errors[0].fieldName", equalTo("Id"));
        // Wrong types: the Id is a string.
        given().contentType(JSON).body("{\"id\": 5, \"secret\": \"x\"}").post("/json/reply/DeleteWebhookSubscription")
                .then().statusCode(400)
                .body("responseStatus.errorCode", equalTo("SerializationException"))
                .body("responseStatus.errors[0].errorCode", equalTo("SerializationException"))
                .body("responseStatus.errors[0].fieldName", equalTo("Id"));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void pathAndBodyIdsMustAgree() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        Map<String, Object> other = Api.createSubscription(tenant);
        DeleteEffects.State before = DeleteEffects.of(other.get("id"));
        given().contentType(JSON).body(Map.of("id", other.get("id"), "secret", created.get("secret")))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(400)
                .body("responseStatus.errorCode", equalTo("Equal"))
                .body("responseStatus.errors[0].fieldName", equalTo("Id"));
        // The same id in another case is the same id.
        given().contentType(JSON).body(Map.of("id", id.toString().toUpperCase(), "secret", created.get("secret")))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(200);
        DeleteEffects.assertUnchanged(before, UUID.fromString((String) other.get("id")));
    }

    @Test
    void malformedBodiesAndFormatsAreAnsweredInTheResponseStatusShape() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        String route = "/sync/webhooks/subscriptions/" + id + "/delete";

        for (String body : List.of("{\"secret\":", "[1, 2]", "\"secret\"", "{\"secret\": \"s\"} trailing")) {
            Response response = given().contentType(JSON).body(body).post(route);
            response.then().statusCode(400).contentType(JSON)
                    .body("responseStatus.errorCode", equalTo("SerializationException"))
                    .body("responseStatus.message", startsWith("Malformed JSON body"));
            assertFalse(response.asString().contains("stackTrace"));
        }
        byte[] packed = Msgpack.encode(Map.of("id", id.toString(), "secret", "abc"));
        given().contentType(MSGPACK).body(Arrays.copyOf(packed, packed.length - 2)).post(route)
                .then().statusCode(400).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("SerializationException"))
                .body("responseStatus.message", startsWith("Malformed MessagePack body"));
        byte[] trailing = Arrays.copyOf(packed, packed.length + 1);
        given().contentType(MSGPACK).body(trailing).post(route)
                .then().statusCode(400)
                .body("responseStatus.message", equalTo("Malformed MessagePack body: unexpected data after the first value"));
        given().contentType(FORM).body("Id=%zz&Secret=x").post(route)
                .then().statusCode(400).body("responseStatus.errorCode", equalTo("SerializationException"));
        given().contentType("text/plain").body("Id=" + id).post(route)
                .then().statusCode(415).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("UnsupportedMediaType"));
        byte[] huge = new byte[1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        given().contentType(JSON).body(huge).post(route)
                .then().statusCode(413).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("RequestEntityTooLarge"));
        given().contentType(JSON).queryParam("format", "xml").body(Map.of("secret", created.get("secret"))).post(route)
                .then().statusCode(400).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("BadRequest"))
                .body("responseStatus.message", startsWith("Unknown format 'xml'"));
        given().contentType(JSON).accept("text/html").body(Map.of("secret", created.get("secret"))).post(route)
                .then().statusCode(406).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("NotAcceptable"));
        DeleteEffects.assertUnchanged(before, id);
    }

    // ---- 401 / 404 / 429 -----------------------------------------------------------------------

    @Test
    void anUnknownIdIs404() {
        UUID unknown = UUID.randomUUID();
        given().contentType(JSON).body(Map.of("secret", "whsec_x"))
                .post("/sync/webhooks/subscriptions/" + unknown + "/delete")
                .then().statusCode(404).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("NotFound"))
                .body("responseStatus.message", equalTo("Webhook subscription '" + unknown + "' does not exist."))
                .body("responseStatus.errors", equalTo(List.of()));
    }

    @Test
    void aWrongSecretIs401AndChangesNothing() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "order.created");
        DeleteEffects.State before = DeleteEffects.of(id);
        String secret = (String) created.get("secret");

        given().contentType(JSON).body(Map.of("secret", secret + "x"))
                .post("/sync/webhooks/subscriptions/" + id + "/delete")
                .then().statusCode(401).contentType(JSON)
                .body("responseStatus.errorCode", equalTo("Unauthorized"));
        DeleteEffects.assertUnchanged(before, id);
        Api.getSubscription(tenant, id).then().statusCode(200).body("active", equalTo(true));
    }

    @Test
    void repeatedWrongSecretsForOneIdAreThrottled() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        String route = "/sync/webhooks/subscriptions/" + id + "/delete";
        for (int i = 0; i < 5; i++) {
            given().contentType(JSON).body(Map.of("secret", "whsec_wrong" + i)).post(route).then().statusCode(401);
        }
        given().contentType(JSON).body(Map.of("secret", "whsec_wrong")).post(route)
                .then().statusCode(429).contentType(JSON)
                .header("Retry-After", org.hamcrest.Matchers.matchesPattern("[1-9][0-9]?"))
                .body("responseStatus.errorCode", equalTo("TooManyRequests"));
        // While throttled even the right secret is not tried: guessing cannot go on.
        given().contentType(JSON).body(Map.of("secret", created.get("secret"))).post(route)
                .then().statusCode(429);
        DeleteEffects.assertUnchanged(before, id);
        // Another subscription has its own budget.
        Map<String, Object> other = Api.createSubscription(tenant);
        deleteJson(UUID.fromString((String) other.get("id")), (String) other.get("secret")).then().statusCode(200);
    }

    @Test
    void otherRoutesAreNotShadowed() {
        given().get("/no/such/route").then().statusCode(404).contentType("application/problem+json");
        given().contentType(JSON).body(Map.of("secret", "x")).post("/sync/webhooks/subscriptions/x/other")
                .then().statusCode(404).contentType("application/problem+json");
        // Identity Cloud's /{customerId}/webhooks/subscriptions/{id} keeps its own answers: only the literal
        // "sync" is ServiceStack's, and a wrong method there stays Identity Cloud's 405.
        given().contentType(JSON).body(Map.of("secret", "x"))
                .post("/acme/webhooks/subscriptions/" + UUID.randomUUID() + "/delete")
                .then().statusCode(404).contentType("application/problem+json");
        given().get("/acme/webhooks/subscriptions/" + UUID.randomUUID())
                .then().statusCode(405).contentType("application/problem+json");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Response deleteJson(UUID id, String secret) {
        return given().contentType(JSON).body(Map.of("id", id.toString(), "secret", secret))
                .post("/sync/webhooks/subscriptions/" + id + "/delete");
    }

    private static Map<String, Object> create(Api.Tenant tenant, String ownerPublicKey) {
        Map<String, Object> body = new HashMap<>(Api.subscriptionBody("ss-" + UUID.randomUUID().toString().substring(0, 8)));
        body.put("ownerPublicKey", ownerPublicKey);
        return Api.createSubscription(tenant, body);
    }

    private static void attempt(UUID attemptId, UUID orgId, UUID subscriptionId, UUID eventId, Instant at,
            Integer statusCode, String description) {
        Database.query("insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,"
                + " status_code, status_description, duration_ms) values (?, null, ?, ?, ?, ?::timestamptz, ?, ?, 12)",
                attemptId, subscriptionId, eventId, orgId, at.toString(), statusCode, description);
    }

    private static long millis(String column, UUID id) {
        return Database.subscriptionTime(id, column).toEpochMilli();
    }

    /** What a ServiceStack delete leaves: the core's tombstone, by the secret holder, audited as servicestack. */
    private static void assertTombstoned(UUID id) {
        DeleteEffects.assertDeleted(id, 1, ServiceStackResource.ACTOR, ServiceStackResource.SURFACE);
    }

    private static KeyPair rsaKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** What the owner does with config.secret: RSA-OAEP with SHA-256 and its private key. */
    private static String unseal(KeyPair owner, String sealed) throws Exception {
        assertNotNull(sealed, "config.secret");
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.DECRYPT_MODE, owner.getPrivate(),
                new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        return new String(rsa.doFinal(Base64.getDecoder().decode(sealed)), StandardCharsets.UTF_8);
    }
}

package dev.hookhub.tenancy;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API.md §4: the admin token, orgs, clients and their tokens, API keys, roles, and tenant isolation. */
@QuarkusTest
class TenancyAndTokensTest {

    @Test
    void adminRoutesNeedTheAdminToken() {
        long orgs = Database.count("select count(*) from organization");
        given().contentType(ContentType.JSON).body(Map.of("name", "x")).post("/v1/admin/orgs")
                .then().statusCode(401).contentType("application/problem+json").body("detail", containsString("admin token"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body(Map.of("name", "x"))
                .post("/v1/admin/orgs").then().statusCode(401);
        Api.Tenant tenant = Api.tenant();
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of("name", "x"))
                .post("/v1/admin/orgs").then().statusCode(401);
        assertEquals(orgs + 1, Database.count("select count(*) from organization"));
    }

    @Test
    void orgCreateAnswersIdNumberAndName() {
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "Acme GmbH")).post("/v1/admin/orgs")
                .then().statusCode(201)
                .body("id", org.hamcrest.Matchers.matchesPattern("[0-9a-f-]{36}"))
                .body("number", notNullValue())
                .body("name", equalTo("Acme GmbH"));
        long orgs = Database.count("select count(*) from organization");
        for (String bad : List.of("", "  ", "\u0001", "a\u0000", "n".repeat(201))) {
            given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                    .body(Map.of("name", bad)).post("/v1/admin/orgs")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("name"));
        }
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "n".repeat(201))).post("/v1/admin/orgs")
                .then().statusCode(400).body("errors[0].message", equalTo("must be 1 to 200 printable characters"));
        for (String body : List.of("{}", "null")) {
            given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                    .body(body).post("/v1/admin/orgs")
                    .then().statusCode(400).body("errors[0].field", equalTo("name"));
        }
        assertEquals(orgs, Database.count("select count(*) from organization"));
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "n".repeat(200))).post("/v1/admin/orgs")
                .then().statusCode(201).body("name", equalTo("n".repeat(200)));
        Api.Tenant tenant = Api.tenant();
        String credentials = "select (select count(*) from api_client) + (select count(*) from api_key)";
        long keys = Database.count(credentials);
        for (String route : List.of("/clients", "/api-keys")) {
            given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                    .body(Map.of("name", "k".repeat(201))).post("/v1/admin/orgs/" + tenant.orgId() + route)
                    .then().statusCode(400).body("errors[0].field", equalTo("name"))
                    .body("errors[0].message", equalTo("must be at most 200 characters"));
        }
        assertEquals(keys, Database.count(credentials));
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "x", "roles", List.of("God")))
                .post("/v1/admin/orgs/" + UUID.randomUUID() + "/clients")
                .then().statusCode(400).body("detail", containsString("God"));
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "x")).post("/v1/admin/orgs/" + UUID.randomUUID() + "/clients")
                .then().statusCode(404);
    }

    @Test
    void clientCredentialsGiveAOneHourTokenThatNamesOnlyItsClientAndFitsCro() {
        Api.Tenant tenant = Api.tenant(List.of("Dispatcher", "Viewer"));
        var answer = given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials").post("/oauth/token")
                .then().statusCode(200).contentType(ContentType.JSON)
                .header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", is(3600))
                .extract().jsonPath();
        String token = answer.getString("access_token");
        // Compact: ES256 under the published key id, and claims that say who, by whom, and until when.
        assertEquals(Map.of("alg", "ES256", "kid", Tokens.ourKeyId()), Tokens.part(token, 0));
        Map<String, Object> claims = Tokens.part(token, 1);
        assertEquals(Set.of("iss", "sub", "iat", "exp"), claims.keySet());
        assertEquals("hookhub", claims.get("iss"));
        assertEquals(tenant.clientId(), claims.get("sub"));
        long lifetime = ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue();
        assertEquals(3600, lifetime);
        // CRO's Authorization header: at most 256 characters, of its documented pattern.
        String header = "Bearer " + token;
        assertTrue(header.length() <= 256, "Authorization is " + header.length() + " characters");
        assertTrue(header.matches("(?i)bearer [a-z0-9_-]+\\.[a-z0-9_-][a-z0-9_./+-]*"), header);

        // Credentials as form fields, and as JSON.
        given().formParam("grant_type", "client_credentials").formParam("client_id", tenant.clientId())
                .formParam("client_secret", tenant.clientSecret()).post("/oauth/token").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("grant_type", "client_credentials",
                "client_id", tenant.clientId(), "client_secret", tenant.clientSecret())).post("/oauth/token").then().statusCode(200);
    }

    @Test
    void tokenEndpointErrorsFollowRfc6749InsideProblemDetails() {
        Api.Tenant tenant = Api.tenant();
        given().auth().preemptive().basic(tenant.clientId(), "wrong").formParam("grant_type", "client_credentials")
                .post("/oauth/token").then().statusCode(401).contentType("application/problem+json")
                .body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic("nobody", "nothing").formParam("grant_type", "client_credentials")
                .post("/oauth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret()).formParam("grant_type", "password")
                .post("/oauth/token").then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret()).formParam("scope", "x")
                .post("/oauth/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().formParam("grant_type", "client_credentials").post("/oauth/token").then().statusCode(401)
                .body("error", equalTo("invalid_client"));
        given().formParam("grant_type", "client_credentials").formParam("client_id", "a\u0000b")
                .formParam("client_secret", "x").post("/oauth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().header("Authorization", "Basic !!!").formParam("grant_type", "client_credentials").post("/oauth/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void badTokensAreRejected() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Instant now = Instant.now();
        Instant later = now.plusSeconds(600);
        PrivateKey ours = Tokens.ourSigningKey();
        String expired = Tokens.expired(tenant);
        String wrongIssuer = Tokens.signed("someone-else", tenant.clientId(), now, later, ours);
        String strangerEc = Tokens.signed("hookhub", tenant.clientId(), now, later, Tokens.strangersKey("EC"));
        String strangerRsa = Tokens.signed("hookhub", tenant.clientId(), now, later, Tokens.strangersKey("RSA"));
        String algNone = b64("{\"alg\":\"none\",\"kid\":\"" + Tokens.ourKeyId() + "\"}") + "."
                + b64("{\"iss\":\"hookhub\",\"sub\":\"" + tenant.clientId() + "\",\"iat\":" + now.getEpochSecond()
                + ",\"exp\":" + later.getEpochSecond() + "}") + ".";
        String[] parts = tenant.token().split("\\.");
        String otherClient = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(tenant.clientId(), other.clientId())) + "." + parts[2];
        String unknownClient = Tokens.signed("hhc_AAAAAAAAAAAAAAAA", now, later);
        String unknownOrgOperator = Tokens.signed("op:2147483647:A", now, later);
        String malformedOperator = Tokens.signed("op:1:Z", now, later);
        String otherAudience = Tokens.compact("{\"alg\":\"ES256\",\"kid\":\"" + Tokens.ourKeyId() + "\"}",
                "{\"iss\":\"hookhub\",\"aud\":\"billing\",\"sub\":\"" + tenant.clientId() + "\",\"iat\":"
                + now.getEpochSecond() + ",\"exp\":" + later.getEpochSecond() + "}", ours);
        for (String token : List.of(expired, wrongIssuer, otherAudience, strangerEc, strangerRsa, algNone, otherClient, unknownClient,
                unknownOrgOperator, malformedOperator, "garbage", "a.b.c")) {
            int status = given().header("Authorization", "Bearer " + token).get("/v1/subscriptions").statusCode();
            assertEquals(401, status, token);
        }
        given().get("/v1/subscriptions").then().statusCode(401).body("detail", containsString("bearer token is required"));
        // The good one still works, and a freshly signed one with the right issuer and client does too.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        String good = Tokens.signed(tenant.clientId(), now, later);
        given().header("Authorization", "Bearer " + good).get("/v1/subscriptions").then().statusCode(200);
    }

    @Test
    void aRememberedTokenStopsWorkingWhenItExpiresAndItsForgeriesNeverWork() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Instant expiry = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String shortLived = Tokens.signed(tenant.clientId(), Instant.now(), expiry);
        // Verified once by quarkus-oidc, then remembered: the second request is answered from memory.
        given().header("Authorization", "Bearer " + shortLived).get("/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", "Bearer " + shortLived).get("/v1/subscriptions").then().statusCode(200);
        // A copy with another signature, or another client in the claims, is a different token: verified, refused.
        String[] parts = shortLived.split("\\.");
        String otherSignature = parts[0] + "." + parts[1] + "." + b64("not the signature");
        String otherClient = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(tenant.clientId(), other.clientId())) + "." + parts[2];
        for (String forged : List.of(otherSignature, otherClient)) {
            given().header("Authorization", "Bearer " + forged).get("/v1/subscriptions").then().statusCode(401);
        }
        // Once its exp has passed, the remembered token is refused like any expired one.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() ->
                given().header("Authorization", "Bearer " + shortLived).get("/v1/subscriptions").statusCode() == 401);
        assertTrue(!Instant.now().isBefore(expiry), "refused only after it expired");
    }

    @Test
    void viewersReadButDoNotChange() {
        Api.Tenant admin = Api.tenant();
        Api.Tenant viewer = Api.client(admin.orgId(), admin.number(), List.of("Viewer"));
        Map<String, Object> created = Api.createSubscription(admin);
        String id = (String) created.get("id");
        Api.getSubscription(viewer, id).then().statusCode(200);
        given().header("Authorization", viewer.bearer()).get("/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", viewer.bearer()).contentType(ContentType.JSON).body(Api.subscriptionBody("v"))
                .post("/v1/subscriptions").then().statusCode(403).body("detail", containsString("Admin or Dispatcher"));
        given().header("Authorization", viewer.bearer()).contentType(ContentType.JSON).body(Map.of("name", "n"))
                .patch("/v1/subscriptions/" + id).then().statusCode(403);
        given().header("Authorization", viewer.bearer()).contentType(ContentType.JSON).body(Map.of()).post("/v1/subscriptions/" + id + "/secret/rotate").then().statusCode(403);
        given().header("Authorization", viewer.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(403);
        Api.getSubscription(admin, id).then().statusCode(200).body("version", is(1)).body("name", equalTo(created.get("name")));

        Api.Tenant dispatcher = Api.client(admin.orgId(), admin.number(), List.of("Dispatcher"));
        given().header("Authorization", dispatcher.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(204);
    }

    @Test
    void oneOrgNeverSeesOrTouchesAnothers() {
        Api.Tenant mine = Api.tenant();
        Api.Tenant theirs = Api.tenant();
        Map<String, Object> created = Api.createSubscription(theirs);
        String id = (String) created.get("id");
        Api.getSubscription(mine, id).then().statusCode(404);
        given().header("Authorization", mine.bearer()).contentType(ContentType.JSON).body(Map.of("name", "hijack"))
                .patch("/v1/subscriptions/" + id).then().statusCode(404);
        given().header("Authorization", mine.bearer()).contentType(ContentType.JSON).body(Map.of()).post("/v1/subscriptions/" + id + "/secret/rotate").then().statusCode(404);
        given().header("Authorization", mine.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(404);
        given().header("Authorization", mine.bearer()).get("/v1/subscriptions").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(id)));
        // A foreign org in a path is 403; one's own is 200.
        given().header("Authorization", mine.bearer()).get("/v1/orgs/" + theirs.orgId()).then().statusCode(403);
        given().header("Authorization", mine.bearer()).get("/v1/orgs/" + mine.orgId()).then().statusCode(200)
                .body("number", is(mine.number()));
        // Untouched.
        Api.getSubscription(theirs, id).then().statusCode(200).body("version", is(1)).body("name", equalTo(created.get("name")));
        assertEquals(1, Database.count("select count(*) from signing_secret where subscription_id = ?", UUID.fromString(id)));
    }

    @Test
    void apiKeysAreShownOnceAndStoredHashed() {
        Api.Tenant tenant = Api.tenant();
        var answer = given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "marley", "roles", List.of("Dispatcher"))).post("/v1/admin/orgs/" + tenant.orgId() + "/api-keys")
                .then().statusCode(201).body("key", startsWith("hhk_")).body("roles", equalTo(List.of("Dispatcher")))
                .extract().jsonPath();
        String key = answer.getString("key");
        String stored = Database.query("select * from api_key where org_id = ?", tenant.orgId()).toString();
        assertFalse(stored.contains(key), "the key is not stored in plaintext");
        String clients = Database.query("select * from api_client where org_id = ?", tenant.orgId()).toString();
        assertFalse(clients.contains(tenant.clientSecret()), "client secrets are not stored in plaintext");
        assertTrue(Database.count("select count(*) from api_key where org_id = ? and length(key_hash) = 32", tenant.orgId()) == 1);
    }

    static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}

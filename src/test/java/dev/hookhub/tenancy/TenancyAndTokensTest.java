package dev.hookhub.tenancy;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
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
    void clientCredentialsGiveAOneHourJwtWithOrgNumberAndRoles() {
        Api.Tenant tenant = Api.tenant(List.of("Dispatcher", "Viewer"));
        var answer = given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials").post("/oauth/token")
                .then().statusCode(200).contentType(ContentType.JSON)
                .header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", is(3600))
                .extract().jsonPath();
        Map<String, Object> claims = claims(answer.getString("access_token"));
        assertEquals(tenant.orgId().toString(), claims.get("org"));
        assertEquals(tenant.number(), ((Number) claims.get("org_number")).intValue());
        assertEquals(Set.of("Dispatcher", "Viewer"), Set.copyOf((List<?>) claims.get("groups")));
        assertEquals("hookhub", claims.get("iss"));
        long lifetime = ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue();
        assertEquals(3600, lifetime);

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
        Map<String, Object> claims = claims(tenant.token());
        PrivateKey ours = ourSigningKey();
        String expired = Jwt.issuer("hookhub").subject("x").claim("org", tenant.orgId().toString())
                .groups(Set.of("Admin")).issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600))
                .sign(ours);
        String wrongIssuer = Jwt.issuer("someone-else").subject("x").claim("org", tenant.orgId().toString())
                .groups(Set.of("Admin")).expiresIn(600).sign(ours);
        String wrongSignature = Jwt.issuer("hookhub").subject("x").claim("org", tenant.orgId().toString())
                .groups(Set.of("Admin")).expiresIn(600).sign(freshKey());
        String algNone = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64("{\"iss\":\"hookhub\",\"sub\":\"x\",\"org\":\""
                + tenant.orgId() + "\",\"groups\":[\"Admin\"],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}") + ".";
        String[] parts = tenant.token().split("\\.");
        String tampered = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(tenant.orgId().toString(), UUID.randomUUID().toString())) + "." + parts[2];
        String unknownOrg = Jwt.issuer("hookhub").subject("x").claim("org", UUID.randomUUID().toString())
                .groups(Set.of("Admin")).expiresIn(600).sign(ours);
        for (String token : List.of(expired, wrongIssuer, wrongSignature, algNone, tampered, unknownOrg, "garbage", "a.b.c")) {
            given().header("Authorization", "Bearer " + token).get("/v1/subscriptions")
                    .then().statusCode(401).contentType("application/problem+json");
        }
        given().get("/v1/subscriptions").then().statusCode(401).body("detail", containsString("bearer token is required"));
        // The good one still works, and a freshly signed one with the right issuer and org does too.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        String good = Jwt.issuer("hookhub").subject("x").claim("org", claims.get("org")).groups(Set.of("Viewer"))
                .expiresIn(600).sign(ours);
        given().header("Authorization", "Bearer " + good).get("/v1/subscriptions").then().statusCode(200);
    }

    @Test
    void aRememberedTokenStopsWorkingWhenItExpiresAndItsForgeriesNeverWork() {
        Api.Tenant tenant = Api.tenant();
        PrivateKey ours = ourSigningKey();
        Instant expiry = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String shortLived = Jwt.issuer("hookhub").subject("short").claim("org", tenant.orgId().toString())
                .groups(Set.of("Admin")).issuedAt(Instant.now()).expiresAt(expiry).sign(ours);
        // Verified once by quarkus-oidc, then remembered: the second request is answered from memory.
        given().header("Authorization", "Bearer " + shortLived).get("/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", "Bearer " + shortLived).get("/v1/subscriptions").then().statusCode(200);
        // A copy with another signature, or another org in the claims, is a different token: verified, refused.
        String[] parts = shortLived.split("\\.");
        String otherSignature = parts[0] + "." + parts[1] + "." + b64("not the signature");
        String otherOrg = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(tenant.orgId().toString(), UUID.randomUUID().toString())) + "." + parts[2];
        for (String forged : List.of(otherSignature, otherOrg)) {
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

    static Map<String, Object> claims(String jwt) {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(payload).getMap("");
    }

    static PrivateKey ourSigningKey() {
        try {
            String base64 = ConfigProvider.getConfig().getValue("hookhub.token.signing-key", String.class);
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static PrivateKey freshKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair().getPrivate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}

package dev.hookhub.tenancy;

import dev.hookhub.support.Api;
import dev.hookhub.support.ProductionProcess;
import dev.hookhub.support.Surfaces;
import dev.hookhub.support.Surfaces.Surface;
import dev.hookhub.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hookhub's own tokens as an operator meets them, from the packaged jar in the prod profile with default
 * limits: every surface accepts them, a second instance trusts them through OIDC discovery, a key rotation
 * keeps live tokens working, a revoked client's tokens stop within the documented bound, and bad key
 * settings stop the start naming the variable. The instances share one PostgreSQL (and encryption key), as
 * replicas do.
 */
@EnabledIfSystemProperty(named = "hookhub.packaged-jar", matches = ".+",
        disabledReason = "runs from failsafe (mvn verify), after the jar is packaged")
class CredentialsProdIT {

    /** The other instance's bound in this test (the default is 30 s, README "Tokens"). */
    private static final Duration CACHE_TIME = Duration.ofSeconds(2);
    private static final String ENCRYPTION_KEY = ProductionProcess.randomBase64(32);

    private static EmbeddedPostgres database;
    private final List<ProductionProcess> instances = new ArrayList<>();

    @BeforeAll
    static void startDatabase() throws IOException {
        database = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        database.close();
        RestAssured.reset();
    }

    @AfterEach
    void stopInstances() {
        instances.forEach(ProductionProcess::close);
    }

    @Test
    void everySurfaceTakesOwnTokensWithDefaultLimitsAndASecondInstanceTrustsThemThroughDiscovery() throws Exception {
        ProductionProcess a = start("credentials-a", Map.of());
        use(a);
        Api.Tenant tenant = Api.tenant();
        Surfaces.Credentials credentials = Surfaces.Credentials.of(tenant);
        assertTrue(tenant.bearer().length() <= 256, tenant.bearer().length() + " characters");
        assertTrue(credentials.identityCloudToken().length() <= 249);
        for (Surface surface : Surface.values()) {
            Map<String, Object> subscription = Api.createSubscription(tenant);
            assertEquals(surface.success, Surfaces.delete(surface, credentials, subscription), "delete through " + surface);
        }

        // The discovery document and its JWK set, read by an independent JOSE library (jose4j).
        Map<String, Object> discovery = given().get("/.well-known/openid-configuration").then().statusCode(200)
                .body("issuer", equalTo("hookhub"))
                .body("token_endpoint", equalTo(a.url() + "/oauth/token"))
                .body("id_token_signing_alg_values_supported", equalTo(List.of("ES256")))
                .extract().jsonPath().getMap("");
        assertEquals(a.url() + "/.well-known/jwks.json", discovery.get("jwks_uri"));
        JwtClaims claims = verify(tenant.token(), (String) discovery.get("jwks_uri"));
        assertEquals(tenant.clientId(), claims.getSubject());

        // B trusts A's tokens through A's discovery document, and looks their clients up in the shared store.
        ProductionProcess b = start("credentials-b", Map.of("QUARKUS_OIDC_AUTH_SERVER_URL", a.url(),
                "HOOKHUB_TOKEN_ISSUING_ENABLED", "false",
                "HOOKHUB_AUTH_VERIFIED_TOKEN_CACHE_TIME", CACHE_TIME.toString()));
        use(b);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        Map<String, Object> onB = Api.createSubscription(tenant);
        assertEquals(200, Surfaces.delete(Surface.CRO, credentials, onB));
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials").post("/oauth/token")
                .then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().get("/.well-known/openid-configuration").then().statusCode(404);
        // A token A never issued is refused by B: another key under A's kid.
        String forged = Tokens.compact("{\"alg\":\"ES256\",\"kid\":\"" + kid(tenant.token()) + "\"}",
                "{\"iss\":\"hookhub\",\"sub\":\"" + tenant.clientId() + "\",\"iat\":1,\"exp\":4102444800}",
                ProductionProcess.ecKeyPair().getPrivate());
        given().header("Authorization", "Bearer " + forged).get("/v1/subscriptions").then().statusCode(401);

        // Revocation: the client's token is refused at once by A (which revoked it) and within the cache time by B.
        Map<String, Object> key = given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "key")).post(a.url() + "/v1/admin/orgs/" + tenant.orgId() + "/api-keys")
                .then().statusCode(201).extract().jsonPath().getMap("");
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", tenant.bearer()).get(a.url() + "/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .post(a.url() + "/v1/admin/orgs/" + tenant.orgId() + "/clients/" + tenant.clientId() + "/revoke")
                .then().statusCode(200);
        long revoked = System.nanoTime();
        given().header("Authorization", tenant.bearer()).get(a.url() + "/v1/subscriptions").then().statusCode(401);
        await().atMost(CACHE_TIME.plusSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() ->
                given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").statusCode() == 401);
        Duration onBAfter = Duration.ofNanos(System.nanoTime() - revoked);
        assertTrue(onBAfter.compareTo(CACHE_TIME.plusSeconds(1)) <= 0, "B refused the revoked client's token after " + onBAfter);
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                .formParam("grant_type", "client_credentials").post(a.url() + "/oauth/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        // An API key revoked on A is refused by B on its next request.
        String apiKey = (String) key.get("key");
        given().header("x-api-key", apiKey).delete("/webhooks/unregister/" + java.util.UUID.randomUUID()).then().statusCode(404);
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .post(a.url() + "/v1/admin/orgs/" + tenant.orgId() + "/api-keys/" + key.get("id") + "/revoke")
                .then().statusCode(200);
        given().header("x-api-key", apiKey).delete("/webhooks/unregister/" + java.util.UUID.randomUUID()).then().statusCode(401);
    }

    @Test
    void aRotatedKeyKeepsLiveTokensWorkingUntilItIsDropped() throws Exception {
        KeyPair first = ProductionProcess.ecKeyPair();
        KeyPair second = ProductionProcess.ecKeyPair();
        ProductionProcess before = start("rotation-before", keys(first, Map.of()));
        use(before);
        Api.Tenant tenant = Api.tenant();
        String oldToken = tenant.token();
        before.close();

        // The new pair signs; the old public key still verifies.
        ProductionProcess during = start("rotation-during", keys(second, Map.of("HOOKHUB_TOKEN_VERIFICATION_KEYS",
                encode(first.getPublic().getEncoded()))));
        use(during);
        String newToken = Api.token(tenant.clientId(), tenant.clientSecret());
        assertNotEquals(kid(oldToken), kid(newToken));
        given().header("Authorization", "Bearer " + oldToken).get("/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", "Bearer " + newToken).get("/v1/subscriptions").then().statusCode(200);
        List<String> kids = given().get("/.well-known/jwks.json").then().statusCode(200).extract().path("keys.kid");
        assertEquals(List.of(kid(newToken), kid(oldToken)), kids);
        String jwks = during.url() + "/.well-known/jwks.json";
        assertEquals(tenant.clientId(), verify(oldToken, jwks).getSubject());
        assertEquals(tenant.clientId(), verify(newToken, jwks).getSubject());
        during.close();

        // Once the old key is dropped, its tokens are refused; the new ones work on.
        ProductionProcess after = start("rotation-after", keys(second, Map.of()));
        use(after);
        given().header("Authorization", "Bearer " + oldToken).get("/v1/subscriptions").then().statusCode(401);
        given().header("Authorization", "Bearer " + newToken).get("/v1/subscriptions").then().statusCode(200);
        assertEquals(List.of(kid(newToken)), given().get("/.well-known/jwks.json").then().extract().path("keys.kid"));
    }

    @Test
    void aFloodOfForgedTokensIsRefusedUnverifiedWhileRememberedTokensWorkOn() throws Exception {
        ProductionProcess a = start("forged-flood", Map.of());
        use(a);
        Api.Tenant tenant = Api.tenant();
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        String kid = kid(tenant.token());
        java.security.PrivateKey stranger = ProductionProcess.ecKeyPair().getPrivate();
        List<String> details = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            String forged = Tokens.compact("{\"alg\":\"ES256\",\"kid\":\"" + kid + "\"}",
                    "{\"iss\":\"hookhub\",\"sub\":\"" + tenant.clientId() + "\",\"iat\":1,\"exp\":4102444800,\"n\":" + i + "}",
                    stranger);
            details.add(given().header("Authorization", "Bearer " + forged).get("/v1/subscriptions")
                    .then().statusCode(401).extract().path("detail"));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // The default bound: 20 failed verifications in a row, then 5 a second; the rest refused unverified.
        long unverified = details.stream().filter(d -> d.startsWith("Too many invalid bearer tokens")).count();
        long verifiedAtMost = 20 + (long) Math.ceil(seconds * 5);
        assertTrue(unverified >= 40 - verifiedAtMost && unverified <= 20,
                unverified + " of 40 refused unverified in " + seconds + " s: " + details);
        // The tenant's remembered token is not affected; a new one from the same address waits for the refill.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        String fresh = Api.token(tenant.clientId(), tenant.clientSecret());
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() ->
                given().header("Authorization", "Bearer " + fresh).get("/v1/subscriptions").statusCode() == 200);
    }

    @Test
    void badKeySettingsStopTheStartAndNameTheVariable() throws Exception {
        KeyPair ours = ProductionProcess.ecKeyPair();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        Map<String, Map<String, String>> cases = Map.of(
                "HOOKHUB_TOKEN_SIGNING_KEY", Map.of("HOOKHUB_TOKEN_SIGNING_KEY", "bm90IGEga2V5"),
                "HOOKHUB_TOKEN_PUBLIC_KEY", keys(ours, Map.of("HOOKHUB_TOKEN_PUBLIC_KEY",
                        encode(ProductionProcess.ecKeyPair().getPublic().getEncoded()))),
                "HOOKHUB_TOKEN_VERIFICATION_KEYS", keys(ours, Map.of("HOOKHUB_TOKEN_VERIFICATION_KEYS", "not-a-key")),
                "HOOKHUB_TOKEN_MAX_LENGTH", keys(rsaPair, Map.of()));
        for (var entry : cases.entrySet()) {
            String log = ProductionProcess.failedStart("bad-keys-" + entry.getKey().toLowerCase(), entry.getValue());
            assertTrue(log.contains(entry.getKey()), entry.getKey() + " is not named in:\n" + log);
        }
    }

    private ProductionProcess start(String name, Map<String, String> settings) throws IOException {
        Map<String, String> all = new HashMap<>(settings);
        all.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + database.getPort() + "/postgres");
        all.put("QUARKUS_DATASOURCE_JDBC_URL", database.getJdbcUrl("postgres", "postgres"));
        all.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        all.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        all.put("HOOKHUB_ENCRYPTION_KEY", ENCRYPTION_KEY);
        all.put("HOOKHUB_ADMIN_TOKEN", Api.ADMIN_TOKEN);
        ProductionProcess started = ProductionProcess.startAlone(name, all);
        instances.add(started);
        return started;
    }

    private static Map<String, String> keys(KeyPair pair, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.putIfAbsent("HOOKHUB_TOKEN_SIGNING_KEY", encode(pair.getPrivate().getEncoded()));
        settings.putIfAbsent("HOOKHUB_TOKEN_PUBLIC_KEY", encode(pair.getPublic().getEncoded()));
        return settings;
    }

    private static void use(ProductionProcess instance) {
        URI url = URI.create(instance.url());
        RestAssured.baseURI = "http://" + url.getHost();
        RestAssured.port = url.getPort();
    }

    private static String kid(String token) {
        return (String) Tokens.part(token, 0).get("kid");
    }

    private static String encode(byte[] der) {
        return Base64.getEncoder().encodeToString(der);
    }

    /** The token's claims, verified against the JWK set at that address by jose4j (not by hookhub). */
    private static JwtClaims verify(String token, String jwksUri) throws Exception {
        String jwks = given().get(jwksUri).then().statusCode(200).extract().asString();
        return new JwtConsumerBuilder().setExpectedIssuer("hookhub").setRequireExpirationTime()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(new JsonWebKeySet(jwks).getJsonWebKeys()))
                .build().processToClaims(token);
    }
}

package dev.hookhub;

import dev.hookhub.support.ProductionProcess;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The prod profile against a real OIDC provider: a Keycloak (keycloak-quarkus-dist, unpacked into target/
 * by the {@code keycloak} Maven profile) issues client-credentials tokens with the org and roles claims,
 * and the packaged jar, started with the prod profile and only environment variables (external OIDC,
 * issuing off, no token keys), accepts them on /v1 and on a dialect delete and refuses another realm's.
 *
 * <p>Run with {@code ./mvnw verify -Pkeycloak}; skipped without it. Keycloak needs Java 21 or newer: the
 * test uses this JVM when it is new enough, else {@code KEYCLOAK_JAVA_HOME}.
 */
@EnabledIfSystemProperty(named = "hookhub.keycloak.home", matches = ".+")
class KeycloakProdIT {

    private static final String KC_ADMIN = "admin";
    private static final String KC_ADMIN_PASSWORD = "keycloak-test-only";
    private static final String CLIENT_ID = "hookhub-ci";
    private static final String CLIENT_SECRET = "hookhub-ci-test-only-secret";
    private static final String OTHER_CLIENT_ID = "other-ci";
    private static final String OTHER_CLIENT_SECRET = "other-ci-test-only-secret";

    private static Process keycloak;
    private static ProductionProcess hookhub;
    private static String keycloakUrl;

    @BeforeAll
    static void start() throws IOException {
        Path home = Path.of(System.getProperty("hookhub.keycloak.home"));
        int keycloakPort = ProductionProcess.freePort();
        keycloakUrl = "http://127.0.0.1:" + keycloakPort;
        Path keycloakLog = Path.of("target", "keycloak-it.log");
        keycloak = startKeycloak(home, keycloakPort, keycloakLog);
        ProductionProcess.awaitUp(keycloak, keycloakUrl + "/realms/other", "Keycloak", keycloakLog);

        // External OIDC, issuing off, no token keys.
        hookhub = ProductionProcess.start("hookhub-prod-it", Map.of(
                "HOOKHUB_TOKEN_ISSUING_ENABLED", "false",
                "QUARKUS_OIDC_AUTH_SERVER_URL", keycloakUrl + "/realms/hookhub"));
    }

    @AfterAll
    static void stop() {
        if (hookhub != null) {
            hookhub.close();
        }
        ProductionProcess.stop(keycloak);
    }

    @Test
    void keycloakTokensWorkOnV1AndOnADialectDelete() throws IOException {
        UUID orgId = createOrg();
        setOrgClaim("hookhub", CLIENT_ID, orgId);
        String token = keycloakToken("hookhub", CLIENT_ID, CLIENT_SECRET);

        Map<String, Object> created = hookhub().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("name", "orders", "url", "https://receiver.example.com/hooks/orders",
                        "events", List.of("order.created")))
                .post("/v1/subscriptions").then().statusCode(201).extract().jsonPath().getMap("");
        String id = (String) created.get("id");
        assertEquals(orgId.toString(), created.get("orgId"));
        hookhub().header("Authorization", "Bearer " + token).get("/v1/subscriptions/" + id)
                .then().statusCode(200).body("id", equalTo(id));

        hookhub().header("Authorization", "Bearer " + token)
                .delete("/organizations/" + orgId + "/integrationdestinations/webhooks/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        hookhub().header("Authorization", "Bearer " + token).get("/v1/subscriptions/" + id).then().statusCode(404);

        // hookhub's own issuer is off: the external provider is the only source of tokens.
        hookhub().formParam("grant_type", "client_credentials").formParam("client_id", CLIENT_ID)
                .formParam("client_secret", CLIENT_SECRET).post("/oauth/token")
                .then().statusCode(400).body("error", equalTo("unsupported_grant_type"));

        // The prod profile logs JSON, one object a line.
        try (Stream<String> lines = Files.lines(hookhub.log())) {
            List<String> logLines = lines.filter(l -> l.contains("\"loggerName\"")).toList();
            assertFalse(logLines.isEmpty(), "JSON log lines in " + hookhub.log());
        }
    }

    @Test
    void aTokenOfAnotherRealmIsRefused() {
        UUID orgId = createOrg();
        setOrgClaim("other", OTHER_CLIENT_ID, orgId);
        String foreign = keycloakToken("other", OTHER_CLIENT_ID, OTHER_CLIENT_SECRET);
        hookhub().header("Authorization", "Bearer " + foreign).get("/v1/subscriptions").then().statusCode(401);
        hookhub().header("Authorization", "Bearer " + foreign)
                .delete("/organizations/" + orgId + "/integrationdestinations/webhooks/" + UUID.randomUUID())
                .then().statusCode(401);
        hookhub().get("/v1/subscriptions").then().statusCode(401);
    }

    private static RequestSpecification hookhub() {
        return given().baseUri(hookhub.url());
    }

    private static UUID createOrg() {
        String id = hookhub().header("Authorization", "Bearer " + hookhub.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "keycloak-" + UUID.randomUUID())).post("/v1/admin/orgs")
                .then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }

    /** A hardcoded-claim mapper puts the org (created in hookhub first) into the client's tokens. */
    private static void setOrgClaim(String realm, String clientId, UUID orgId) {
        String admin = given().baseUri(keycloakUrl).formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", KC_ADMIN).formParam("password", KC_ADMIN_PASSWORD)
                .post("/realms/master/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
        String internalId = given().baseUri(keycloakUrl).auth().oauth2(admin).queryParam("clientId", clientId)
                .get("/admin/realms/" + realm + "/clients").then().statusCode(200).extract().path("[0].id");
        given().baseUri(keycloakUrl).auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "hookhub org " + orgId, "protocol", "openid-connect",
                        "protocolMapper", "oidc-hardcoded-claim-mapper",
                        "config", Map.of("claim.name", "org", "claim.value", orgId.toString(), "jsonType.label", "String",
                                "access.token.claim", "true", "id.token.claim", "false", "userinfo.token.claim", "false")))
                .post("/admin/realms/" + realm + "/clients/" + internalId + "/protocol-mappers/models")
                .then().statusCode(201);
    }

    private static String keycloakToken(String realm, String clientId, String secret) {
        return given().baseUri(keycloakUrl).formParam("grant_type", "client_credentials")
                .formParam("client_id", clientId).formParam("client_secret", secret)
                .post("/realms/" + realm + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    private static Process startKeycloak(Path home, int port, Path log) throws IOException {
        Path imports = home.resolve("data").resolve("import");
        Files.createDirectories(imports);
        for (String realm : List.of("hookhub-realm.json", "other-realm.json")) {
            try (InputStream in = KeycloakProdIT.class.getResourceAsStream("/keycloak/" + realm)) {
                Files.copy(in, imports.resolve(realm), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        deleteTree(home.resolve("data").resolve("h2")); // a fresh realm on every run: the org mappers differ
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve("kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + ProductionProcess.freePort(), "--import-realm")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", keycloakJavaHome());
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", KC_ADMIN);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", KC_ADMIN_PASSWORD);
        return builder.start();
    }

    private static String keycloakJavaHome() {
        if (Runtime.version().feature() >= 21) {
            return System.getProperty("java.home");
        }
        String configured = System.getenv("KEYCLOAK_JAVA_HOME");
        if (configured == null || configured.isBlank()) {
            fail("Keycloak needs Java 21+: run the build on it, or set KEYCLOAK_JAVA_HOME");
        }
        return configured;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}

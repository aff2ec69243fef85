package dev.hookhub.api.v1;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's credential administration under /v1/admin/orgs/{orgId}: lists that never show a secret,
 * revocation (clients and keys) that takes effect at once on this instance, secret rotation, audit
 * records, and the same 404 for unknown and foreign credentials.
 */
@QuarkusTest
class AdminCredentialsTest {

    private static final String ADMIN = "Bearer " + Api.ADMIN_TOKEN;

    @Test
    void listsShowEveryCredentialButNeverItsSecret() {
        Api.Tenant tenant = Api.tenant(List.of("Dispatcher", "Viewer"));
        Api.Tenant second = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        String key = Api.apiKey(tenant.orgId(), List.of("Viewer"));

        Response clients = given().header("Authorization", ADMIN).get(base(tenant) + "/clients");
        clients.then().statusCode(200).contentType(ContentType.JSON)
                .body("items.size()", equalTo(2))
                .body("items[0].id", notNullValue())
                .body("items[0].orgId", equalTo(tenant.orgId().toString()))
                .body("items[0].clientId", equalTo(tenant.clientId()))
                .body("items[0].name", equalTo("client"))
                .body("items[0].roles", equalTo(List.of("Dispatcher", "Viewer")))
                .body("items[0].createdAt", notNullValue())
                .body("items[0]", hasKey("revokedAt")).body("items[0].revokedAt", nullValue())
                .body("items[0]", hasKey("secretRotatedAt")).body("items[0].secretRotatedAt", nullValue())
                .body("items[0]", not(hasKey("clientSecret")))
                .body("items[1].clientId", equalTo(second.clientId()))
                .body("nextCursor", nullValue());
        String body = clients.asString();
        assertFalse(body.contains(tenant.clientSecret()) || body.contains(second.clientSecret()), body);

        Response keys = given().header("Authorization", ADMIN).get(base(tenant) + "/api-keys");
        keys.then().statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].prefix", equalTo(key.substring(0, 10)))
                .body("items[0].roles", equalTo(List.of("Viewer")))
                .body("items[0].createdAt", notNullValue())
                .body("items[0].revokedAt", nullValue())
                .body("items[0]", not(hasKey("key")));
        assertFalse(keys.asString().contains(key));

        // Paged one by one, the same two clients in the same order.
        List<String> walked = new ArrayList<>();
        String cursor = null;
        do {
            var page = given().header("Authorization", ADMIN).queryParam("limit", 1)
                    .queryParam("cursor", cursor == null ? "" : cursor).get(base(tenant) + "/clients")
                    .then().statusCode(200).extract().jsonPath();
            walked.addAll(page.getList("items.clientId"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        assertEquals(List.of(tenant.clientId(), second.clientId()), walked);

        // MessagePack, decoded by the real library: the same fields, dates as timestamps.
        byte[] packed = given().header("Authorization", ADMIN).accept("application/x-msgpack")
                .get(base(tenant) + "/clients").then().statusCode(200).extract().asByteArray();
        @SuppressWarnings("unchecked")
        Map<String, Object> first = ((List<Map<String, Object>>) Msgpack.decodeMap(packed).get("items")).get(0);
        assertEquals(tenant.clientId(), first.get("clientId"));
        assertInstanceOf(java.time.Instant.class, first.get("createdAt"));
        assertTrue(first.containsKey("revokedAt") && first.get("revokedAt") == null);

        given().header("Authorization", ADMIN).get("/v1/admin/orgs/" + UUID.randomUUID() + "/clients").then().statusCode(404);
        given().header("Authorization", ADMIN).get("/v1/admin/orgs/not-a-uuid/api-keys").then().statusCode(400);
        given().get(base(tenant) + "/clients").then().statusCode(401);
        given().header("Authorization", tenant.bearer()).get(base(tenant) + "/clients").then().statusCode(401);
    }

    @Test
    void aRevokedClientIsRefusedAtOnceAndTheRevocationIsAudited() {
        Api.Tenant tenant = Api.tenant();
        // Its token is verified and remembered before the revocation.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);

        var revoked = given().header("Authorization", ADMIN).post(base(tenant) + "/clients/" + tenant.clientId() + "/revoke")
                .then().statusCode(200)
                .body("clientId", equalTo(tenant.clientId()))
                .body("revokedAt", notNullValue())
                .body("$", not(hasKey("clientSecret")))
                .extract().jsonPath();
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(401);
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret()).formParam("grant_type", "client_credentials")
                .post("/oauth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        assertEquals(1, Database.count("select count(*) from api_client where client_id = ? and revoked_at is not null",
                tenant.clientId()));
        assertEquals(1, Database.count("select count(*) from audit where org_id = ? and action = 'client.revoked'"
                + " and actor = 'operator' and surface = 'v1-admin' and target = ?", tenant.orgId(), tenant.clientId()));

        // Again, by its id: the same answer, no second record.
        String id = revoked.getString("id");
        given().header("Authorization", ADMIN).post(base(tenant) + "/clients/" + id + "/revoke")
                .then().statusCode(200).body("revokedAt", equalTo(revoked.getString("revokedAt")));
        assertEquals(1, Database.count("select count(*) from audit where action = 'client.revoked' and target = ?",
                tenant.clientId()));
        // It cannot be given a new secret either.
        given().header("Authorization", ADMIN).post(base(tenant) + "/clients/" + tenant.clientId() + "/rotate-secret")
                .then().statusCode(409);
    }

    @Test
    void unknownAndForeignCredentialsAre404AndNothingChanges() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant foreign = Api.tenant();
        Map<String, Object> foreignKey = createKey(foreign);
        for (String path : List.of("/clients/" + foreign.clientId() + "/revoke", "/clients/" + foreign.clientId() + "/rotate-secret",
                "/clients/hhc_nobody/revoke", "/clients/" + UUID.randomUUID() + "/revoke",
                "/api-keys/" + foreignKey.get("id") + "/revoke", "/api-keys/" + UUID.randomUUID() + "/revoke")) {
            given().header("Authorization", ADMIN).post(base(tenant) + path).then().statusCode(404)
                    .contentType("application/problem+json");
        }
        given().header("Authorization", ADMIN).post(base(tenant) + "/api-keys/not-a-uuid/revoke").then().statusCode(400);
        assertEquals(0, Database.count("select count(*) from api_client where org_id = ? and revoked_at is not null", foreign.orgId()));
        assertEquals(0, Database.count("select count(*) from api_key where org_id = ? and revoked_at is not null", foreign.orgId()));
        given().header("Authorization", foreign.bearer()).get("/v1/subscriptions").then().statusCode(200);
        Api.token(foreign.clientId(), foreign.clientSecret());
    }

    @Test
    void aRotatedSecretReplacesTheOldOneAndLiveTokensStay() {
        Api.Tenant tenant = Api.tenant();
        var rotated = given().header("Authorization", ADMIN).post(base(tenant) + "/clients/" + tenant.clientId() + "/rotate-secret")
                .then().statusCode(200)
                .body("clientId", equalTo(tenant.clientId()))
                .body("secretRotatedAt", notNullValue())
                .body("revokedAt", nullValue())
                .extract().jsonPath();
        String secret = rotated.getString("clientSecret");
        assertTrue(secret.startsWith("hhs_") && !secret.equals(tenant.clientSecret()), secret);
        given().auth().preemptive().basic(tenant.clientId(), tenant.clientSecret()).formParam("grant_type", "client_credentials")
                .post("/oauth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        String fresh = Api.token(tenant.clientId(), secret);
        given().header("Authorization", "Bearer " + fresh).get("/v1/subscriptions").then().statusCode(200);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);
        assertEquals(1, Database.count("select count(*) from audit where action = 'client.secret_rotated' and target = ?",
                tenant.clientId()));
        // The listing shows when, never what.
        String list = given().header("Authorization", ADMIN).get(base(tenant) + "/clients").then().statusCode(200)
                .body("items[0].secretRotatedAt", equalTo(rotated.getString("secretRotatedAt"))).extract().asString();
        assertFalse(list.contains(secret));
    }

    @Test
    void aRevokedApiKeyIsRefusedAtOnce() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> key = createKey(tenant);
        String secret = (String) key.get("key");
        UUID unknown = UUID.randomUUID();
        given().header("x-api-key", secret).delete("/webhooks/unregister/" + unknown).then().statusCode(404);
        assertEquals(1, Database.count("select count(*) from audit where action = 'api_key.created' and target = ?",
                key.get("id").toString()));

        given().header("Authorization", ADMIN).post(base(tenant) + "/api-keys/" + key.get("id") + "/revoke")
                .then().statusCode(200).body("id", equalTo(key.get("id"))).body("revokedAt", notNullValue())
                .body("$", not(hasKey("key")));
        given().header("x-api-key", secret).delete("/webhooks/unregister/" + unknown).then().statusCode(401);
        assertEquals(1, Database.count("select count(*) from audit where action = 'api_key.revoked' and target = ?",
                key.get("id").toString()));
        given().header("Authorization", ADMIN).get(base(tenant) + "/api-keys").then().statusCode(200)
                .body("items[0].revokedAt", notNullValue());
    }

    private static String base(Api.Tenant tenant) {
        return "/v1/admin/orgs/" + tenant.orgId();
    }

    private static Map<String, Object> createKey(Api.Tenant tenant) {
        return given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("name", "key"))
                .post(base(tenant) + "/api-keys").then().statusCode(201).extract().jsonPath().getMap("");
    }
}

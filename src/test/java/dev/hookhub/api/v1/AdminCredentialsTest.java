package dev.hookhub.api.v1;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import dev.hookhub.tenancy.ClientRevoked;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's credential administration under /v1/admin/orgs/{orgId}: the client and key lists (never a
 * secret), revoking clients and keys, rotating a client's secret — the answers, what the credentials can do
 * afterwards at /oauth/token and on the API-key surface, and the rows and audit records left behind.
 */
@QuarkusTest
class AdminCredentialsTest {

    private static final String ADMIN = "Bearer " + Api.ADMIN_TOKEN;
    private static final Set<String> CLIENT_FIELDS = Set.of("id", "orgId", "clientId", "name", "roles", "createdAt",
            "revokedAt", "secretRotatedAt");
    private static final Set<String> KEY_FIELDS = Set.of("id", "orgId", "prefix", "name", "roles", "createdAt", "revokedAt");

    /**
     * Records each {@link ClientRevoked} with the client's revoked_at as another connection reads it at that
     * moment: the event must come after the commit. (A blocking read on the event loop, in a test only.)
     */
    @Singleton
    static class RevocationsSeen {
        private final List<String> seen = new CopyOnWriteArrayList<>();

        void on(@Observes ClientRevoked event) {
            Object revokedAt = Database.query("select revoked_at from api_client where client_id = ?", event.clientId())
                    .get(0).get("revoked_at");
            seen.add(event.clientId() + (revokedAt == null ? " not yet committed" : " committed"));
        }

        List<String> of(String clientId) {
            return seen.stream().filter(s -> s.startsWith(clientId + " ")).toList();
        }
    }

    @Inject
    RevocationsSeen revocations;

    private static RequestSpecification admin() {
        return given().header("Authorization", ADMIN);
    }

    private static String clients(UUID org) {
        return "/v1/admin/orgs/" + org + "/clients";
    }

    private static String keys(UUID org) {
        return "/v1/admin/orgs/" + org + "/api-keys";
    }

    private static Map<String, Object> createClient(UUID org, String name, List<String> roles) {
        return admin().contentType(ContentType.JSON).body(Map.of("name", name, "roles", roles))
                .post(clients(org)).then().statusCode(201).extract().jsonPath().getMap("");
    }

    private static Map<String, Object> createKey(UUID org, String name, List<String> roles) {
        return admin().contentType(ContentType.JSON).body(Map.of("name", name, "roles", roles))
                .post(keys(org)).then().statusCode(201).extract().jsonPath().getMap("");
    }

    private static Response tokenRequest(String clientId, String secret) {
        return given().auth().preemptive().basic(clientId, secret).formParam("grant_type", "client_credentials")
                .post("/oauth/token");
    }

    private static Instant time(String sql, Object... args) {
        Object value = Database.query(sql, args).get(0).values().iterator().next();
        return value == null ? null : ((Timestamp) value).toInstant();
    }

    private static List<Map<String, Object>> audits(String target) {
        return Database.query("select org_id, subscription_id, action, actor, surface, remote_address, at from audit"
                + " where target = ? order by id", target);
    }

    private static void assertAudit(Map<String, Object> row, UUID org, String action) {
        assertEquals(org, row.get("org_id"));
        assertNull(row.get("subscription_id"));
        assertEquals(action, row.get("action"));
        assertEquals("operator", row.get("actor"));
        assertEquals("v1-admin", row.get("surface"));
        assertEquals("127.0.0.1", row.get("remote_address"));
        assertNotNull(row.get("at"));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void clientListShowsEveryDocumentedFieldAndNeverASecret() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = createClient(tenant.orgId(), "billing", List.of("Viewer", "Dispatcher"));
        String secret = (String) created.get("clientSecret");

        Response answer = admin().get(clients(tenant.orgId()));
        answer.then().statusCode(200).contentType(ContentType.JSON).body("nextCursor", nullValue());
        String raw = answer.asString();
        assertFalse(raw.contains(tenant.clientSecret()) || raw.contains(secret), "no secret in " + raw);
        for (Map<String, Object> row : Database.query("select secret_hash from api_client where org_id = ?", tenant.orgId())) {
            assertFalse(raw.contains(hex((byte[]) row.get("secret_hash"))), "no digest");
        }
        assertFalse(raw.contains("clientSecret") || raw.contains("secretHash") || raw.contains("secret_hash"), raw);

        List<Map<String, Object>> items = answer.jsonPath().getList("items");
        assertEquals(List.of(tenant.clientId(), created.get("clientId")), items.stream().map(i -> i.get("clientId")).toList(),
                "oldest first");
        Map<String, Object> item = items.get(1);
        assertEquals(CLIENT_FIELDS, item.keySet(), "every documented field, null ones included");
        assertEquals(created.get("id"), item.get("id"));
        assertEquals(tenant.orgId().toString(), item.get("orgId"));
        assertEquals("billing", item.get("name"));
        assertEquals(List.of("Dispatcher", "Viewer"), item.get("roles"));
        assertEquals(time("select created_at from api_client where id = ?", UUID.fromString((String) item.get("id"))),
                Instant.parse((String) item.get("createdAt")));
        assertEquals(created.get("createdAt"), item.get("createdAt"));
        assertNull(item.get("revokedAt"));
        assertNull(item.get("secretRotatedAt"));
        assertInstanceOf(String.class, item.get("clientId"));
        assertTrue(((String) item.get("clientId")).startsWith("hhc_"));
    }

    @Test
    void keyListShowsEveryDocumentedFieldAndNeverTheKey() {
        UUID org = Api.tenant().orgId();
        Map<String, Object> created = createKey(org, "carrier", List.of("Viewer"));
        String key = (String) created.get("key");

        Response answer = admin().get(keys(org));
        answer.then().statusCode(200).contentType(ContentType.JSON).body("nextCursor", nullValue());
        String raw = answer.asString();
        assertFalse(raw.contains(key), "no key in " + raw);
        assertFalse(raw.contains(hex((byte[]) Database.query("select key_hash from api_key where id = ?",
                UUID.fromString((String) created.get("id"))).get(0).get("key_hash"))), "no digest");

        List<Map<String, Object>> items = answer.jsonPath().getList("items");
        assertEquals(1, items.size());
        Map<String, Object> item = items.get(0);
        assertEquals(KEY_FIELDS, item.keySet());
        assertEquals(created.get("id"), item.get("id"));
        assertEquals(org.toString(), item.get("orgId"));
        assertEquals(key.substring(0, 10), item.get("prefix"));
        assertEquals(created.get("prefix"), item.get("prefix"));
        assertEquals("carrier", item.get("name"));
        assertEquals(List.of("Viewer"), item.get("roles"));
        assertEquals(created.get("createdAt"), item.get("createdAt"));
        assertNull(item.get("revokedAt"));
    }

    @Test
    void pagingWithLimitOneWalksEveryCredentialOldestFirst() {
        Api.Tenant tenant = Api.tenant();
        for (int i = 0; i < 3; i++) {
            createClient(tenant.orgId(), "c" + i, List.of("Admin"));
            createKey(tenant.orgId(), "k" + i, List.of("Admin"));
        }
        assertEquals(Database.query("select id from api_client where org_id = ? order by created_at, id", tenant.orgId())
                .stream().map(r -> r.get("id").toString()).toList(), walk(clients(tenant.orgId())));
        assertEquals(Database.query("select id from api_key where org_id = ? order by created_at, id", tenant.orgId())
                .stream().map(r -> r.get("id").toString()).toList(), walk(keys(tenant.orgId())));
    }

    private static List<String> walk(String path) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RequestSpecification request = admin().queryParam("limit", 1);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get(path).then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> items = page.getList("items");
            assertEquals(1, items.size());
            ids.add((String) items.get(0).get("id"));
            cursor = page.getString("nextCursor");
            pages++;
        } while (cursor != null && pages < 10);
        return ids;
    }

    @Test
    void revokingAClientEndsItsTokenIssuingOnceAndForAll() {
        Api.Tenant tenant = Api.tenant();
        String clientId = tenant.clientId();
        UUID rowId = UUID.fromString((String) Database.query("select id from api_client where client_id = ?", clientId)
                .get(0).get("id").toString());

        // Its token is verified and remembered before the revocation, and refused at once after it.
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200);

        JsonPath revoked = admin().post(clients(tenant.orgId()) + "/" + clientId + "/revoke")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("id", equalTo(rowId.toString())).body("clientId", equalTo(clientId))
                .body("orgId", equalTo(tenant.orgId().toString())).body("revokedAt", notNullValue())
                .body("secretRotatedAt", nullValue())
                .extract().jsonPath();
        assertEquals(CLIENT_FIELDS, revoked.getMap("").keySet());
        Instant revokedAt = Instant.parse(revoked.getString("revokedAt"));
        assertEquals(revokedAt, time("select revoked_at from api_client where id = ?", rowId));
        List<Map<String, Object>> records = audits(clientId);
        assertEquals(List.of("client.created", "client.revoked"), records.stream().map(r -> r.get("action")).toList());
        assertAudit(records.get(1), tenant.orgId(), "client.revoked");
        assertEquals(List.of(clientId + " committed"), revocations.of(clientId),
                "ClientRevoked fired once, after the commit");

        // Again, by its row id: the first revocation, and no second record.
        admin().contentType(ContentType.JSON).body("{}").post(clients(tenant.orgId()) + "/" + rowId + "/revoke")
                .then().statusCode(200).body("revokedAt", equalTo(revoked.getString("revokedAt")));
        assertEquals(revokedAt, time("select revoked_at from api_client where id = ?", rowId));
        assertEquals(1, Database.count("select count(*) from audit where target = ? and action = 'client.revoked'", clientId));
        assertEquals(List.of(clientId + " committed", clientId + " committed"), revocations.of(clientId),
                "fired again on a repeat");

        tokenRequest(clientId, tenant.clientSecret()).then().statusCode(401).contentType("application/problem+json")
                .body("error", equalTo("invalid_client")).body("status", is(401));
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(401)
                .body("detail", containsString("revoked"));
        admin().get(clients(tenant.orgId())).then().statusCode(200)
                .body("items[0].revokedAt", equalTo(revoked.getString("revokedAt")));
    }

    @Test
    void anotherOrgsOrAnUnknownClientIs404AndNothingChanges() {
        UUID org = Api.tenant().orgId();
        Api.Tenant other = Api.tenant();
        Map<String, Object> before = Database.query("select revoked_at, secret_hash, secret_rotated_at from api_client"
                + " where client_id = ?", other.clientId()).get(0);
        String otherRowId = Database.query("select id from api_client where client_id = ?", other.clientId())
                .get(0).get("id").toString();

        for (String client : List.of(other.clientId(), otherRowId, "hhc_unknown", UUID.randomUUID().toString(), "x%00y")) {
            for (String action : List.of("revoke", "rotate-secret")) {
                admin().urlEncodingEnabled(false).post(clients(org) + "/" + client + "/" + action)
                        .then().statusCode(404).contentType("application/problem+json").body("status", is(404));
            }
        }
        Map<String, Object> after = Database.query("select revoked_at, secret_hash, secret_rotated_at from api_client"
                + " where client_id = ?", other.clientId()).get(0);
        assertNull(after.get("revoked_at"));
        assertTrue(Arrays.equals((byte[]) before.get("secret_hash"), (byte[]) after.get("secret_hash")));
        assertNull(after.get("secret_rotated_at"));
        assertEquals(List.of("client.created"), audits(other.clientId()).stream().map(r -> r.get("action")).toList());
        Api.token(other.clientId(), other.clientSecret());

        String otherKey = (String) createKey(other.orgId(), "theirs", List.of("Admin")).get("id");
        admin().post(keys(org) + "/" + otherKey + "/revoke").then().statusCode(404).body("status", is(404));
        admin().post(keys(org) + "/" + UUID.randomUUID() + "/revoke").then().statusCode(404);
        assertNull(Database.query("select revoked_at from api_key where id = ?", UUID.fromString(otherKey)).get(0).get("revoked_at"));
        assertEquals(List.of("api_key.created"), audits(otherKey).stream().map(r -> r.get("action")).toList());

        admin().post(keys(org) + "/not-a-uuid/revoke").then().statusCode(400).contentType("application/problem+json");
        UUID unknownOrg = UUID.randomUUID();
        admin().get(clients(unknownOrg)).then().statusCode(404).body("status", is(404));
        admin().get(keys(unknownOrg)).then().statusCode(404);
        admin().post(clients(unknownOrg) + "/" + other.clientId() + "/revoke").then().statusCode(404);
        admin().get("/v1/admin/orgs/not-a-uuid/clients").then().statusCode(400);
        admin().get("/v1/admin/orgs/not-a-uuid/api-keys").then().statusCode(400);
        admin().queryParam("cursor", "!!").get(clients(org)).then().statusCode(400);
        admin().queryParam("limit", 0).get(keys(org)).then().statusCode(400);
    }

    @Test
    void rotatingASecretSwapsItAtOnceAndLeavesIssuedTokensAlone() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> subscription = Api.createSubscription(tenant);
        byte[] oldHash = (byte[]) Database.query("select secret_hash from api_client where client_id = ?", tenant.clientId())
                .get(0).get("secret_hash");

        JsonPath rotated = admin().post(clients(tenant.orgId()) + "/" + tenant.clientId() + "/rotate-secret")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("clientId", equalTo(tenant.clientId())).body("revokedAt", nullValue())
                .body("secretRotatedAt", notNullValue())
                .extract().jsonPath();
        Set<String> fields = new java.util.HashSet<>(CLIENT_FIELDS);
        fields.add("clientSecret");
        assertEquals(fields, rotated.getMap("").keySet());
        String secret = rotated.getString("clientSecret");
        assertTrue(secret.startsWith("hhs_") && secret.length() == 4 + 43, secret);
        assertNotEquals(tenant.clientSecret(), secret);
        assertEquals(Instant.parse(rotated.getString("secretRotatedAt")),
                time("select secret_rotated_at from api_client where client_id = ?", tenant.clientId()));
        assertFalse(Arrays.equals(oldHash, (byte[]) Database.query("select secret_hash from api_client where client_id = ?",
                tenant.clientId()).get(0).get("secret_hash")));
        List<Map<String, Object>> records = audits(tenant.clientId());
        assertEquals(List.of("client.created", "client.secret_rotated"), records.stream().map(r -> r.get("action")).toList());
        assertAudit(records.get(1), tenant.orgId(), "client.secret_rotated");

        tokenRequest(tenant.clientId(), tenant.clientSecret()).then().statusCode(401).body("error", equalTo("invalid_client"));
        String token = tokenRequest(tenant.clientId(), secret).then().statusCode(200).extract().path("access_token");
        given().header("Authorization", "Bearer " + token).get("/v1/subscriptions/" + subscription.get("id"))
                .then().statusCode(200);
        // The token issued with the old secret is not ended by the rotation (revoking the client is the tool for that).
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + subscription.get("id"))
                .then().statusCode(200);
        String listed = admin().get(clients(tenant.orgId())).then().statusCode(200)
                .body("items[0].secretRotatedAt", equalTo(rotated.getString("secretRotatedAt"))).extract().asString();
        assertFalse(listed.contains(secret));

        admin().post(clients(tenant.orgId()) + "/" + tenant.clientId() + "/revoke").then().statusCode(200);
        byte[] hashBefore = (byte[]) Database.query("select secret_hash from api_client where client_id = ?", tenant.clientId())
                .get(0).get("secret_hash");
        admin().post(clients(tenant.orgId()) + "/" + tenant.clientId() + "/rotate-secret")
                .then().statusCode(409).contentType("application/problem+json").body("status", is(409));
        assertTrue(Arrays.equals(hashBefore, (byte[]) Database.query("select secret_hash from api_client where client_id = ?",
                tenant.clientId()).get(0).get("secret_hash")));
        assertEquals(1, Database.count("select count(*) from audit where target = ? and action = 'client.secret_rotated'",
                tenant.clientId()));
        tokenRequest(tenant.clientId(), secret).then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void aRevokedApiKeyIsRefusedOnItsNextRequest() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = createKey(tenant.orgId(), "himarley", List.of("Admin"));
        String key = (String) created.get("key");
        UUID keyId = UUID.fromString((String) created.get("id"));
        Object first = Api.createSubscription(tenant).get("id");
        Object second = Api.createSubscription(tenant).get("id");
        given().header("x-api-key", key).delete("/webhooks/unregister/" + first).then().statusCode(200);

        JsonPath revoked = admin().post(keys(tenant.orgId()) + "/" + keyId + "/revoke")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("id", equalTo(keyId.toString())).body("prefix", equalTo(key.substring(0, 10)))
                .body("revokedAt", notNullValue()).extract().jsonPath();
        assertEquals(KEY_FIELDS, revoked.getMap("").keySet());
        assertFalse(revoked.prettify().contains(key));
        assertEquals(Instant.parse(revoked.getString("revokedAt")), time("select revoked_at from api_key where id = ?", keyId));

        given().header("x-api-key", key).delete("/webhooks/unregister/" + second).then().statusCode(401);
        assertEquals(1, Database.count("select count(*) from subscription where id = ? and deleted_at is null",
                UUID.fromString(second.toString())));

        admin().post(keys(tenant.orgId()) + "/" + keyId + "/revoke").then().statusCode(200)
                .body("revokedAt", equalTo(revoked.getString("revokedAt")));
        List<Map<String, Object>> records = audits(keyId.toString());
        assertEquals(List.of("api_key.created", "api_key.revoked"), records.stream().map(r -> r.get("action")).toList());
        assertAudit(records.get(0), tenant.orgId(), "api_key.created");
        assertAudit(records.get(1), tenant.orgId(), "api_key.revoked");
    }

    @Test
    void creatingACredentialIsAudited() {
        UUID org = Api.tenant().orgId();
        Map<String, Object> client = createClient(org, "audited", List.of("Viewer"));
        Map<String, Object> key = createKey(org, "audited", List.of("Viewer"));
        List<Map<String, Object>> clientRecords = audits((String) client.get("clientId"));
        assertEquals(1, clientRecords.size());
        assertAudit(clientRecords.get(0), org, "client.created");
        List<Map<String, Object>> keyRecords = audits((String) key.get("id"));
        assertEquals(1, keyRecords.size());
        assertAudit(keyRecords.get(0), org, "api_key.created");
    }

    @Test
    void everyCredentialRouteNeedsTheAdminToken() {
        Api.Tenant tenant = Api.tenant();
        String keyId = (String) createKey(tenant.orgId(), "k", List.of("Admin")).get("id");
        List<String[]> routes = List.of(new String[] {"GET", clients(tenant.orgId())},
                new String[] {"GET", keys(tenant.orgId())},
                new String[] {"POST", clients(tenant.orgId()) + "/" + tenant.clientId() + "/revoke"},
                new String[] {"POST", clients(tenant.orgId()) + "/" + tenant.clientId() + "/rotate-secret"},
                new String[] {"POST", keys(tenant.orgId()) + "/" + keyId + "/revoke"});
        for (String[] route : routes) {
            given().request(route[0], route[1]).then().statusCode(401).contentType("application/problem+json");
            given().header("Authorization", "Bearer wrong").request(route[0], route[1]).then().statusCode(401);
            given().header("Authorization", tenant.bearer()).request(route[0], route[1]).then().statusCode(401);
        }
        assertEquals(1, Database.count("select count(*) from api_client where client_id = ? and revoked_at is null"
                + " and secret_rotated_at is null", tenant.clientId()));
        assertNull(Database.query("select revoked_at from api_key where id = ?", UUID.fromString(keyId)).get(0).get("revoked_at"));
        assertEquals(List.of("client.created"), audits(tenant.clientId()).stream().map(r -> r.get("action")).toList());
    }

    @Test
    void theListsAndARevocationInMessagePack() {
        Api.Tenant tenant = Api.tenant();
        createKey(tenant.orgId(), "mp", List.of("Dispatcher"));
        Response answer = admin().accept("application/x-msgpack").get(clients(tenant.orgId()));
        answer.then().statusCode(200).contentType("application/x-msgpack");
        Map<String, Object> page = Msgpack.decodeMap(answer.asByteArray());
        assertTrue(page.containsKey("nextCursor"));
        assertNull(page.get("nextCursor"));
        @SuppressWarnings("unchecked")
        Map<String, Object> item = ((List<Map<String, Object>>) page.get("items")).get(0);
        assertEquals(CLIENT_FIELDS, item.keySet());
        assertEquals(tenant.clientId(), item.get("clientId"));
        assertEquals(List.of("Admin"), item.get("roles"));
        assertEquals(time("select created_at from api_client where client_id = ?", tenant.clientId()), item.get("createdAt"),
                "a MessagePack timestamp");
        assertNull(item.get("revokedAt"));

        Response keyList = admin().queryParam("format", "msgpack").get(keys(tenant.orgId()));
        keyList.then().statusCode(200).contentType("application/x-msgpack");
        @SuppressWarnings("unchecked")
        Map<String, Object> key = ((List<Map<String, Object>>) Msgpack.decodeMap(keyList.asByteArray()).get("items")).get(0);
        assertEquals(KEY_FIELDS, key.keySet());
        assertInstanceOf(Instant.class, key.get("createdAt"));

        Response revoked = admin().accept("application/x-msgpack")
                .post(clients(tenant.orgId()) + "/" + tenant.clientId() + "/revoke");
        revoked.then().statusCode(200).contentType("application/x-msgpack");
        assertEquals(time("select revoked_at from api_client where client_id = ?", tenant.clientId()),
                Msgpack.decodeMap(revoked.asByteArray()).get("revokedAt"));
        Problems.msgpack(admin().accept("application/x-msgpack")
                .post(clients(tenant.orgId()) + "/" + tenant.clientId() + "/rotate-secret"), 409, "Conflict");
    }
}

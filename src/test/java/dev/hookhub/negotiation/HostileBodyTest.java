package dev.hookhub.negotiation;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one body path under hostile bodies (README, Limits): MessagePack that lies about its lengths or
 * nests too deep, undecodable forms, bodies past the first network buffer or chunked, on every route
 * that reads a body; each gets the route's own 400 in its own shape, fast, and changes nothing.
 */
@QuarkusTest
class HostileBodyTest {

    private static final String MSGPACK = "application/x-msgpack";
    private static final byte[][] BOMBS = {
            HexFormat.of().parseHex("c63fffffff00"), HexFormat.of().parseHex("db3fffffff00"),
            HexFormat.of().parseHex("c93fffffff0100"), HexFormat.of().parseHex("dd7fffffff"),
            HexFormat.of().parseHex("df7fffffff"), nested(15_000)};

    static Api.Tenant tenant;
    static Map<String, Object> subscription;

    @BeforeEach
    void seed() {
        if (tenant == null) {
            tenant = Api.tenant();
            subscription = Api.createSubscription(tenant);
        }
    }

    @Test
    void lengthBombsAndDeepNestingGetEachRoutesOwn400() {
        String id = (String) subscription.get("id");
        DeleteEffects.State before = DeleteEffects.of(id);
        long events = Database.count("select count(*) from event");
        for (byte[] bomb : BOMBS) {
            String hex = HexFormat.of().formatHex(Arrays.copyOf(bomb, Math.min(bomb.length, 8)));
            Map<String, Object> oauth = Problems.msgpack(given().contentType(MSGPACK).accept(MSGPACK).body(bomb)
                    .post("/oauth/token"), 400, "Bad Request");
            assertTrue(((String) oauth.get("detail")).startsWith("Malformed MessagePack body: "), hex + ": " + oauth);
            given().contentType(MSGPACK).body(bomb).post("/" + tenant.orgId() + "/login/token")
                    .then().statusCode(400).body("detail", startsWith("Malformed MessagePack body: "));
            given().header("Authorization", tenant.bearer()).contentType(MSGPACK).body(bomb).post("/v1/events")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("detail", startsWith("Malformed MessagePack body: "));
            given().header("Authorization", tenant.bearer()).contentType(MSGPACK).body(bomb).post("/v1/subscriptions")
                    .then().statusCode(400).body("detail", startsWith("Malformed MessagePack body: "));
            given().header("Authorization", tenant.bearer()).header("x-tenant-id", tenant.number())
                    .contentType(MSGPACK).body(bomb).delete("/hooks/" + subscription.get("number"))
                    .then().statusCode(400).body("detail", startsWith("Malformed MessagePack body: "));
            given().contentType(MSGPACK).body(bomb).post("/sync/webhooks/subscriptions/" + id + "/delete")
                    .then().statusCode(400).body("responseStatus.message", startsWith("Malformed MessagePack body: "));
        }
        DeleteEffects.assertUnchanged(before, id);
        assertEquals(events, Database.count("select count(*) from event"), "no event was stored");
    }

    @Test
    void undecodableFormsAreAnsweredNotLeftHanging() {
        for (String form : new String[] {"%%%", "x=%G0", "=&=&%", "grant_type=%E0%A4", "grant_type=%FF"}) {
            given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form)
                    .post("/oauth/token").then().statusCode(400).contentType("application/problem+json")
                    .body("error", equalTo("invalid_request"), "detail", startsWith("Malformed form body: "));
            given().contentType("application/x-www-form-urlencoded").body(form)
                    .post("/" + tenant.orgId() + "/login/token").then().statusCode(400)
                    .body("error", equalTo("invalid_request"));
            given().contentType("application/x-www-form-urlencoded").body(form)
                    .post("/sync/webhooks/subscriptions/" + subscription.get("id") + "/delete").then().statusCode(400)
                    .body("responseStatus.message", startsWith("Malformed form body: "));
        }
        // The forms that still decode keep working, credentials in the body included.
        given().contentType("application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&client_id=" + tenant.clientId() + "&client_secret=" + tenant.clientSecret())
                .post("/oauth/token").then().statusCode(200).body("token_type", equalTo("Bearer"));
    }

    @Test
    void bodiesPastTheFirstBufferAndChunkedBodiesAreReadWithoutBlocking() {
        String id = (String) subscription.get("id");
        DeleteEffects.State before = DeleteEffects.of(id);
        String padded = "{\"id\":\"" + id + "\",\"secret\":\"whsec_wrong\",\"pad\":\"" + "x".repeat(40_000) + "\"}";
        for (boolean chunked : new boolean[] {false, true}) {
            byte[] body = padded.getBytes(StandardCharsets.UTF_8);
            var request = given().contentType("application/json");
            request = chunked ? request.body(new ByteArrayInputStream(body)) : request.body(body);
            request.post("/sync/webhooks/subscriptions/" + id + "/delete").then().statusCode(401)
                    .body("responseStatus.errorCode", equalTo("Unauthorized"));
            var cro = given().header("Authorization", "Bearer a.b").header("x-tenant-id", tenant.number())
                    .contentType("application/json");
            cro = chunked ? cro.body(new ByteArrayInputStream(("{\"pad\":\"" + "y".repeat(40_000) + "\"}").getBytes()))
                    : cro.body("{\"pad\":\"" + "y".repeat(40_000) + "\"}");
            cro.delete("/hooks/" + subscription.get("number")).then().statusCode(401);
        }
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void anEventPayloadWithinTheBoundsIsStoredReadBackAndOneBeyondIsRefused() {
        // The body is a map (level 1) holding the payload: 499 levels of payload fill the 500 allowed.
        byte[] payload = nested(BodyBounds.MAX_DEPTH - 1);
        byte[] accepted = event(payload);
        Response published = given().header("Authorization", tenant.bearer()).contentType(MSGPACK).body(accepted)
                .post("/v1/events");
        published.then().statusCode(202);
        String eventId = published.jsonPath().getString("id");
        byte[] read = given().header("Authorization", tenant.bearer()).accept(MSGPACK).get("/v1/events/" + eventId)
                .then().statusCode(200).extract().asByteArray();
        Object value = Msgpack.decodeMap(read).get("payload");
        int depth = 0;
        while (value instanceof java.util.List<?> list) {
            depth++;
            value = list.isEmpty() ? null : list.get(0);
        }
        assertEquals(BodyBounds.MAX_DEPTH - 1, depth);
        given().header("Authorization", tenant.bearer()).get("/v1/events/" + eventId).then().statusCode(200)
                .body("id", equalTo(eventId));

        long events = Database.count("select count(*) from event");
        given().header("Authorization", tenant.bearer()).contentType(MSGPACK).body(event(nested(BodyBounds.MAX_DEPTH)))
                .post("/v1/events").then().statusCode(400).body("detail", containsString("nested deeper than 500 levels"));
        assertEquals(events, Database.count("select count(*) from event"));
    }

    /** {"type": "bounds.checked", "payload": <payload>} in MessagePack. */
    private static byte[] event(byte[] payload) {
        byte[] head = HexFormat.of().parseHex("82a474797065ae626f756e64732e636865636b6564a77061796c6f6164");
        byte[] body = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, body, head.length, payload.length);
        return body;
    }

    /** {@code depth} arrays, each holding the next, the innermost holding nil. */
    private static byte[] nested(int depth) {
        byte[] body = new byte[depth + 1];
        Arrays.fill(body, (byte) 0x91);
        body[depth] = (byte) 0xc0;
        return body;
    }
}

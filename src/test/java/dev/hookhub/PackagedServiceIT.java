package dev.hookhub;

import dev.hookhub.support.Api;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar, started as its own process on its own embedded PostgreSQL: the README walk-through,
 * negotiation, tenant isolation and the concurrent delete, over HTTP only.
 */
@QuarkusIntegrationTest
class PackagedServiceIT {

    @TestHTTPResource("/")
    URL base;

    @Test
    void walkThroughInJsonAndMessagePack() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant);
        String id = (String) created.get("id");
        assertTrue(((String) created.get("secret")).startsWith("whsec_"));
        Api.getSubscription(tenant, id).then().statusCode(200).body("id", equalTo(id)).header("Vary", "Accept");

        byte[] msgpack = given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + id + ".x-msgpack")
                .then().statusCode(200).contentType(startsWith("application/x-msgpack")).extract().asByteArray();
        Map<String, Object> map = Msgpack.decodeMap(msgpack);
        assertEquals(id, map.get("id"));
        assertInstanceOf(Instant.class, map.get("createdAt"));

        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(204);
        byte[] problem = given().header("Authorization", tenant.bearer()).queryParam("format", "msgpack")
                .get("/v1/subscriptions/" + id).then().statusCode(404).extract().asByteArray();
        assertEquals(404L, Msgpack.decodeMap(problem).get("status"));
    }

    @Test
    void negotiationAndBadInput() {
        Api.Tenant tenant = Api.tenant();
        given().header("Authorization", tenant.bearer()).accept("text/html").get("/v1/subscriptions").then().statusCode(406);
        given().header("Authorization", tenant.bearer()).queryParam("format", "yaml").get("/v1/subscriptions").then().statusCode(400);
        given().header("Authorization", tenant.bearer()).contentType("text/plain").body("x").post("/v1/subscriptions").then().statusCode(415);
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body("{\"name\":")
                .post("/v1/subscriptions").then().statusCode(400).contentType("application/problem+json");
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body("x".repeat(1_100_000))
                .post("/v1/subscriptions").then().statusCode(413);
        given().header("Authorization", tenant.bearer()).contentType("application/msgpack")
                .body(new byte[] {(byte) 0x83, (byte) 0xa4}).post("/v1/subscriptions").then().statusCode(400);
        given().header("Authorization", tenant.bearer()).get("/v1/subscriptions").then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void tenantsAreIsolated() {
        Api.Tenant mine = Api.tenant();
        Api.Tenant theirs = Api.tenant();
        String id = (String) Api.createSubscription(theirs).get("id");
        Api.getSubscription(mine, id).then().statusCode(404);
        given().header("Authorization", mine.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(404);
        given().header("Authorization", mine.bearer()).get("/v1/orgs/" + theirs.orgId()).then().statusCode(403);
        Api.getSubscription(theirs, id).then().statusCode(200);
    }

    @Test
    void concurrentDeletesOneWins() {
        Api.Tenant tenant = Api.tenant();
        HttpClient client = HttpClient.newHttpClient();
        String id = (String) Api.createSubscription(tenant).get("id");
        List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/subscriptions/" + id))
                    .header("Authorization", tenant.bearer()).DELETE().build(), HttpResponse.BodyHandlers.discarding()));
        }
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList();
        assertEquals(List.of(204, 404, 404, 404, 404, 404, 404, 404), statuses);
    }
}

package dev.hookhub.api.compat.m3ter;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import dev.hookhub.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * m3ter "Delete Webhook Destination", walked line by line through
 * the vendor document seeds/m3ter-delete-webhook-destination.txt, and the database after each answer.
 */
@QuarkusTest
class M3terDeleteTest {

    /** The seed's "2023-11-07T05:31:56Z": ISO-8601, UTC, whole seconds, Z. */
    private static final String M3TER_DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    private static final String SURFACE = "m3ter";

    private static String path(Object orgId, Object id) {
        return "/organizations/" + orgId + "/integrationdestinations/webhooks/" + id;
    }

    private static Map<String, Object> destination(Api.Tenant tenant) {
        return Api.createSubscription(tenant, Map.of("name", "billing hook", "description", "invoices to ERP",
                "code", "erp-" + UUID.randomUUID().toString().substring(0, 8),
                "url", "https://receiver.example.com/m3ter", "events", List.of("invoice.created")));
    }

    private static String seconds(Object isoInstant) {
        return Instant.parse((String) isoInstant).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void deleteAnswersTheDeletedDestinationExactlyAsTheSeedListsIt() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = destination(tenant);
        Object id = created.get("id");
        String secret = (String) created.get("secret");
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "invoice.created");
        String actor = "client:" + tenant.clientId();

        // curl --request DELETE --url .../organizations/{orgId}/integrationdestinations/webhooks/{id}
        //      --header 'Authorization: Bearer <token>'
        var body = given().header("Authorization", tenant.bearer())
                .delete(path(tenant.orgId(), id))
                .then().statusCode(200) // "Returns the deleted Destination"
                .contentType(ContentType.JSON)
                .header("Vary", "Accept")
                .body("id", equalTo(id)) // "id string required: The UUID of the entity."
                .body("version", is(1)) // "version integer<int64>": 1 on create, a delete does not bump it
                .body("dtCreated", equalTo(seconds(created.get("createdAt")))) // "2023-11-07T05:31:56Z"
                .body("dtLastModified", equalTo(seconds(created.get("modifiedAt"))))
                .body("createdBy", equalTo(actor)) // "The ID of the user who created this item."
                .body("lastModifiedBy", equalTo(actor))
                .body("name", equalTo("billing hook"))
                .body("description", equalTo("invoices to ERP"))
                .body("code", equalTo(created.get("code")))
                .body("active", is(true)) // as it was before the delete
                .body("url", equalTo("https://receiver.example.com/m3ter")) // "The URL to which webhook requests are sent."
                .body("credentials.id", equalTo(created.get("secretKeyId")))
                .body("credentials.type", equalTo("M3TER_SIGNED_REQUEST"))
                .body("credentials.destination", equalTo("WEBHOOK"))
                .body("credentials.version", is(1))
                .body("credentials.createdBy", equalTo(actor))
                .body("credentials.lastModifiedBy", equalTo(actor))
                .body("credentials.destinationId", equalTo(id))
                .body("credentials.name", equalTo("billing hook"))
                .body("credentials.apiKey", equalTo(created.get("secretKeyId"))) // the signing key's public id
                .body("credentials.secret", equalTo("********" + secret.substring(secret.length() - 4)))
                .extract().body();
        Map<String, Object> json = body.jsonPath().getMap("");
        assertEquals(Set.of("id", "version", "dtCreated", "dtLastModified", "createdBy", "lastModifiedBy", "name",
                "description", "code", "active", "url", "credentials"), json.keySet(), "exactly the seed's fields");
        @SuppressWarnings("unchecked")
        Map<String, Object> credentials = (Map<String, Object>) json.get("credentials");
        assertEquals(Set.of("id", "type", "destination", "version", "dtCreated", "dtLastModified", "createdBy",
                "lastModifiedBy", "destinationId", "name", "apiKey", "secret"), credentials.keySet());
        assertTrue(((String) json.get("dtCreated")).matches(M3TER_DATE));
        assertTrue(((String) json.get("dtLastModified")).matches(M3TER_DATE));
        assertTrue(((String) credentials.get("dtCreated")).matches(M3TER_DATE));
        assertTrue(((String) credentials.get("dtLastModified")).matches(M3TER_DATE));
        assertInstanceOf(Integer.class, json.get("version"));
        assertInstanceOf(Boolean.class, json.get("active"));
        assertFalse(body.asString().contains(secret.substring(6, 30)), "the secret is never whole in the answer");

        DeleteEffects.assertDeleted(id, 1, actor, SURFACE);
        assertEquals(1, Database.count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                UUID.fromString((String) id)), "finished deliveries are history and stay");

        // Gone for every read and every later delete.
        Api.getSubscription(tenant, id).then().statusCode(404);
        given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), id))
                .then().statusCode(404).contentType("application/problem+json")
                .body("status", is(404)).body("detail", containsString(id.toString()));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id).then().statusCode(404);
    }

    @Test
    void activeIsTheValueBeforeTheDeleteAndAbsentTextIsNull() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = Api.createSubscription(tenant, Map.of("name", "paused",
                "url", "https://receiver.example.com/paused", "events", List.of("a.b"), "active", false));
        given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), created.get("id")))
                .then().statusCode(200)
                .body("active", is(false))
                .body("description", nullValue())
                .body("code", nullValue());
        DeleteEffects.assertDeleted(created.get("id"), 1, "client:" + tenant.clientId(), SURFACE);
    }

    @Test
    void credentialsAreTheCurrentSecretAfterARotation() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = destination(tenant);
        Object id = created.get("id");
        var rotation = given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON).body(Map.of())
                .post("/v1/subscriptions/" + id + "/secret/rotate").then().statusCode(200).extract().jsonPath();
        String secret = rotation.getString("secret");
        Instant rotatedAt = ((java.sql.Timestamp) Database.query("select created_at from signing_secret where key_id = ?",
                rotation.getString("keyId")).get(0).get("created_at")).toInstant();

        given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), id))
                .then().statusCode(200)
                .body("credentials.id", equalTo(rotation.getString("keyId")))
                .body("credentials.apiKey", equalTo(rotation.getString("keyId")))
                .body("credentials.secret", equalTo("********" + secret.substring(secret.length() - 4)))
                .body("credentials.dtCreated", equalTo(rotatedAt.truncatedTo(ChronoUnit.SECONDS).toString()));
        assertEquals(0, Database.count("select count(*) from signing_secret where subscription_id = ?",
                UUID.fromString((String) id)), "both secrets shredded");
    }

    @Test
    void aDispatcherMayDeleteAndIsTheRecordedActor() {
        Api.Tenant admin = Api.tenant();
        Api.Tenant dispatcher = Api.client(admin.orgId(), admin.number(), List.of("Dispatcher"));
        Object id = destination(admin).get("id");
        given().header("Authorization", dispatcher.bearer()).delete(path(admin.orgId(), id))
                .then().statusCode(200).body("id", equalTo(id))
                .body("createdBy", equalTo("client:" + admin.clientId()));
        DeleteEffects.assertDeleted(id, 1, "client:" + dispatcher.clientId(), SURFACE);
    }

    @Test
    void messagePackAnswerHasTheSameFieldsWithTimestamps() {
        // Accept, ?format= and the .x-msgpack suffix each choose MessagePack.
        List<Function<RequestSpecification, RequestSpecification>> ways = List.of(
                r -> r.accept("application/x-msgpack"),
                r -> r.queryParam("format", "x-msgpack"),
                r -> r);
        for (int i = 0; i < ways.size(); i++) {
            Api.Tenant tenant = Api.tenant();
            Map<String, Object> created = destination(tenant);
            Object id = created.get("id");
            String secret = (String) created.get("secret");
            String url = path(tenant.orgId(), id) + (i == 2 ? ".x-msgpack" : "");
            Response response = ways.get(i).apply(given().header("Authorization", tenant.bearer())).delete(url);
            response.then().statusCode(200).contentType("application/x-msgpack").header("Vary", "Accept");
            Map<String, Object> body = Msgpack.decodeMap(response.asByteArray());

            assertEquals(id, body.get("id"), "ids are strings in MessagePack too");
            assertEquals(1L, body.get("version"));
            assertEquals(Instant.parse((String) created.get("createdAt")), body.get("dtCreated"), "a MessagePack timestamp");
            assertEquals(Instant.parse((String) created.get("modifiedAt")), body.get("dtLastModified"));
            assertEquals("client:" + tenant.clientId(), body.get("createdBy"));
            assertEquals("client:" + tenant.clientId(), body.get("lastModifiedBy"));
            assertEquals("billing hook", body.get("name"));
            assertEquals("invoices to ERP", body.get("description"));
            assertEquals(created.get("code"), body.get("code"));
            assertEquals(true, body.get("active"));
            assertEquals("https://receiver.example.com/m3ter", body.get("url"));
            @SuppressWarnings("unchecked")
            Map<String, Object> credentials = (Map<String, Object>) body.get("credentials");
            assertEquals(created.get("secretKeyId"), credentials.get("id"));
            assertEquals("M3TER_SIGNED_REQUEST", credentials.get("type"));
            assertEquals("WEBHOOK", credentials.get("destination"));
            assertEquals(1L, credentials.get("version"));
            assertInstanceOf(Instant.class, credentials.get("dtCreated"));
            assertInstanceOf(Instant.class, credentials.get("dtLastModified"));
            assertEquals(id, credentials.get("destinationId"));
            assertEquals("billing hook", credentials.get("name"));
            assertEquals(created.get("secretKeyId"), credentials.get("apiKey"));
            assertEquals("********" + secret.substring(secret.length() - 4), credentials.get("secret"));
            assertEquals(12, body.size());
            assertEquals(12, credentials.size());
            assertTrue(Msgpack.containsTimestampExtension(response.asByteArray()));
            DeleteEffects.assertDeleted(id, 1, "client:" + tenant.clientId(), SURFACE);
        }
    }

    @Test
    void tokenProblemsAre401AndChangeNothing() {
        Api.Tenant tenant = Api.tenant();
        Object id = destination(tenant).get("id");
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "invoice.created");
        DeleteEffects.State before = DeleteEffects.of(id);

        given().delete(path(tenant.orgId(), id))
                .then().statusCode(401).contentType("application/problem+json").header("Vary", "Accept")
                .body("type", equalTo("about:blank")).body("title", equalTo("Unauthorized")).body("status", is(401))
                .body("detail", containsString("bearer token is required"));
        given().header("Authorization", "Bearer not.a.jwt").delete(path(tenant.orgId(), id))
                .then().statusCode(401).body("detail", containsString("invalid or expired"));
        given().header("Authorization", "Bearer " + Tokens.expired(tenant)).delete(path(tenant.orgId(), id))
                .then().statusCode(401).body("detail", containsString("invalid or expired"));
        given().header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                (tenant.clientId() + ":" + tenant.clientSecret()).getBytes())).delete(path(tenant.orgId(), id))
                .then().statusCode(401).body("detail", containsString("bearer token is required"));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void anotherOrgsTokenOrAViewerIs403AndChangesNothing() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        Object id = destination(tenant).get("id");
        DeleteEffects.State before = DeleteEffects.of(id);

        // "orgId: The unique identifier (UUID) of your Organization": a token of another org may not name it.
        given().header("Authorization", other.bearer()).delete(path(tenant.orgId(), id))
                .then().statusCode(403).contentType("application/problem+json")
                .body("title", equalTo("Forbidden")).body("detail", containsString(tenant.orgId().toString()));
        given().header("Authorization", viewer.bearer()).delete(path(tenant.orgId(), id))
                .then().statusCode(403).body("detail", containsString("Admin or Dispatcher"));
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void malformedIdsAre400UnknownOnesAre404() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Object id = destination(tenant).get("id");
        DeleteEffects.State before = DeleteEffects.of(id);

        // "orgId string required: The unique identifier (UUID)" / "id string required: ... (UUID)"
        given().header("Authorization", tenant.bearer()).delete(path("my-org", id))
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", is(400)).body("detail", containsString("'orgId'")).body("detail", containsString("my-org"));
        given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), "42"))
                .then().statusCode(400).body("detail", containsString("'id'"));
        given().header("Authorization", tenant.bearer())
                .delete(path(tenant.orgId(), id.toString().toUpperCase().replace("-", "")))
                .then().statusCode(400).body("detail", containsString("'id'"));
        given().header("Authorization", tenant.bearer()).delete(path(tenant.orgId(), UUID.randomUUID()))
                .then().statusCode(404).body("title", equalTo("Not Found"));
        // Another org's destination, asked for by that org's own token in its own path: not found.
        given().header("Authorization", other.bearer()).delete(path(other.orgId(), id))
                .then().statusCode(404);
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void errorsAnswerInTheNegotiatedFormat() {
        Api.Tenant tenant = Api.tenant();
        Object id = destination(tenant).get("id");
        DeleteEffects.State before = DeleteEffects.of(id);

        Map<String, Object> unauthorized = Problems.msgpack(
                given().accept("application/x-msgpack").delete(path(tenant.orgId(), id)), 401, "Unauthorized");
        assertTrue(((String) unauthorized.get("detail")).contains("bearer token"));
        Problems.msgpack(given().header("Authorization", tenant.bearer())
                .delete(path(tenant.orgId(), UUID.randomUUID()) + ".x-msgpack"), 404, "Not Found");
        Map<String, Object> badId = Problems.msgpack(given().header("Authorization", tenant.bearer())
                .queryParam("format", "msgpack").delete(path(tenant.orgId(), "nope")), 400, "Bad Request");
        assertTrue(((String) badId.get("detail")).contains("'id'"));

        given().header("Authorization", tenant.bearer()).queryParam("format", "xml").delete(path(tenant.orgId(), id))
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("xml"));
        given().header("Authorization", tenant.bearer()).accept("text/html").delete(path(tenant.orgId(), id))
                .then().statusCode(406).contentType("application/problem+json");
        DeleteEffects.assertUnchanged(before, id);
    }
}

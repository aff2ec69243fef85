package dev.hookhub.api.compat.cro;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.smallrye.config.WithDefault;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CRO's Delete Hook, walked along seeds/cro-delete-hook.txt: the roles, the path parameter, every request
 * header rule, the WebhookModel answer, the response headers and the CORS preflight — and the database
 * after every answer.
 */
@QuarkusTest
class CroDeleteTest {

    /** "Date in an ISO 8601 compatible format", as the sample writes it: 2022-08-20T01:45:38.518903. */
    private static final String CRO_DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}";
    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final List<String> EVENTS = List.of("Customer", "CustomerLocation", "Job");

    // ---- 200 -------------------------------------------------------------------------------

    @Test
    void deleteDeactivatesAndAnswersTheWebhookModel() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = create(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        long number = ((Number) created.get("number")).longValue();
        DeleteEffects.queueDeliveries(tenant.orgId(), id, "Job");
        Database.query("update subscription set last_http_fail = timestamptz '2022-08-20 01:45:38.518903+00'"
                + " where id = ?", id);

        // The seed's sample request: DELETE /hooks/{hook_id}/ with Authorization, Content-Type, x-tenant-id and {}.
        Response response = cro(tenant).contentType("application/json").body("{}").delete("/hooks/" + number + "/");
        croHeaders(response.then().statusCode(200).contentType("application/json"), "2019/02/08")
                .body("deleted_at", matchesPattern(CRO_DATE))
                .body("deleted_at", equalTo(croDate("deleted_at", id)))
                .body("events", equalTo(EVENTS))
                .body("id", equalTo((int) number))
                .body("last_http_fail", equalTo("2022-08-20T01:45:38.518903"))
                .body("last_http_success", nullValue())
                .body("url", equalTo(created.get("url")));
        Map<String, Object> body = response.jsonPath().getMap("");
        assertEquals(List.of("deleted_at", "events", "id", "last_http_fail", "last_http_success", "url"),
                List.copyOf(body.keySet()), "every WebhookModel field, nulls included; secret is not returned");
        assertFalse(response.asString().contains((String) created.get("secret")));

        DeleteEffects.assertDeleted(id, 1, "client:" + tenant.clientId(), CroHookResource.SURFACE);
        // Gone for /v1 and for a second delete.
        Api.getSubscription(tenant, id).then().statusCode(404);
        croHeaders(cro(tenant).delete("/hooks/" + number).then().statusCode(404)
                .contentType("application/problem+json"), "2019/02/08")
                .body("status", equalTo(404));
    }

    @Test
    void aDispatcherMayDeleteWithoutABodyAndTheApiVersionIsEchoed() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant dispatcher = Api.client(tenant.orgId(), tenant.number(), List.of("Dispatcher"));
        Map<String, Object> created = create(tenant);
        long number = ((Number) created.get("number")).longValue();
        croHeaders(cro(dispatcher).header("x-api-version", "2023/04/19").delete("/hooks/" + number)
                .then().statusCode(200), "2023/04/19")
                .body("id", equalTo((int) number));
        assertEquals("client:" + dispatcher.clientId(), Database.query("select deleted_by from subscription where id = ?",
                UUID.fromString((String) created.get("id"))).get(0).get("deleted_by"));
    }

    @Test
    void messagePackAnswersByAcceptSuffixOrFormatParameter() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> a = create(tenant);
        Map<String, Object> b = create(tenant);
        Map<String, Object> c = create(tenant);
        byte[] byAccept = cro(tenant).accept("application/x-msgpack").delete("/hooks/" + a.get("number"))
                .then().statusCode(200).contentType("application/x-msgpack").extract().asByteArray();
        byte[] bySuffix = cro(tenant).delete("/hooks/" + b.get("number") + ".x-msgpack")
                .then().statusCode(200).contentType("application/x-msgpack").extract().asByteArray();
        byte[] byParameter = cro(tenant).queryParam("format", "x-msgpack").delete("/hooks/" + c.get("number"))
                .then().statusCode(200).contentType("application/x-msgpack").extract().asByteArray();
        for (Object[] pair : new Object[][] {{a, byAccept}, {b, bySuffix}, {c, byParameter}}) {
            Map<?, ?> created = (Map<?, ?>) pair[0];
            byte[] bytes = (byte[]) pair[1];
            assertTrue(Msgpack.containsTimestampExtension(bytes));
            Map<String, Object> body = Msgpack.decodeMap(bytes);
            UUID id = UUID.fromString((String) created.get("id"));
            assertEquals(List.of("deleted_at", "events", "id", "last_http_fail", "last_http_success", "url"),
                    List.copyOf(body.keySet()));
            assertEquals(Database.subscriptionTime(id, "deleted_at"), body.get("deleted_at"),
                    "a MessagePack timestamp, to the microsecond");
            assertEquals(((Number) created.get("number")).longValue(), body.get("id"));
            assertEquals(EVENTS, body.get("events"));
            assertNull(body.get("last_http_fail"));
            assertNull(body.get("last_http_success"));
            assertEquals(created.get("url"), body.get("url"));
        }
    }

    @Test
    void theDocumentedAuthorizationLimitIs256() throws Exception {
        // CRO's document: "No longer than 256 characters". Every profile keeps the vendor's bound, and
        // hookhub's own tokens fit it (at most 238 characters: README, "Tokens").
        assertEquals("256", CroConfig.class.getMethod("maxAuthorizationLength").getAnnotation(WithDefault.class).value());
        assertEquals(256, ConfigProvider.getConfig().getValue("hookhub.cro.max-authorization-length", Integer.class));
        String bearer = Api.tenant().bearer();
        assertTrue(bearer.length() <= 256, "hookhub's token is " + bearer.length() + " characters with 'Bearer '");
    }

    // ---- headers -----------------------------------------------------------------------------

    @Test
    void theAuthorizationHeaderIsRequiredWellFormedAndValid() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = create(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        String hook = "/hooks/" + created.get("number");
        int limit = ConfigProvider.getConfig().getValue("hookhub.cro.max-authorization-length", Integer.class);

        // Missing → 401.
        problem(given().header("x-tenant-id", tenant.number()).delete(hook), 401, "Authorization");
        // Not "bearer <a>.<b>[.<c>]" → 400.
        for (String malformed : List.of("Basic dXNlcjpwYXNz", "Bearer", "Bearer nodots", "Bearer  a.b", "Bearer a.b c",
                "Token " + tenant.token(), "Bearer a!.b")) {
            problem(given().header("Authorization", malformed).header("x-tenant-id", tenant.number()).delete(hook),
                    400, "Authorization");
        }
        // Longer than the limit → 400, even when well formed.
        String tooLong = "Bearer " + "a".repeat(limit - "Bearer ".length() - 2) + ".bc";
        assertEquals(limit + 1, tooLong.length());
        problem(given().header("Authorization", tooLong).header("x-tenant-id", tenant.number()).delete(hook),
                400, "at most " + limit);
        // Well formed but not a valid token → 401: garbage, a foreign signature, an expired token.
        String garbage = "Bearer abc.def.ghi";
        problem(given().header("Authorization", garbage).header("x-tenant-id", tenant.number()).delete(hook), 401, "");
        // This tenant's claims under another token's signature.
        String[] own = tenant.token().split("\\.");
        String foreign = "Bearer " + own[0] + "." + own[1] + "." + Api.tenant().token().split("\\.")[2];
        problem(given().header("Authorization", foreign).header("x-tenant-id", tenant.number()).delete(hook), 401, "");
        String expired = "Bearer " + Tokens.expired(tenant);
        problem(given().header("Authorization", expired).header("x-tenant-id", tenant.number()).delete(hook), 401, "");
        DeleteEffects.assertUnchanged(before, id);

        // The pattern is case-insensitive: "bearer" is the seed's own spelling.
        given().header("Authorization", "bearer " + tenant.token()).header("x-tenant-id", tenant.number()).delete(hook)
                .then().statusCode(200);
    }

    @Test
    void theTenantHeaderIsARequiredIntegerNamingTheTokensTenant() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        Map<String, Object> created = create(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        String hook = "/hooks/" + created.get("number");

        problem(given().header("Authorization", tenant.bearer()).delete(hook), 400, "x-tenant-id");
        for (String bad : List.of("", "abc", "1.5", "-3", "0", "1e3", "99999999999999999999")) {
            problem(given().header("Authorization", tenant.bearer()).header("x-tenant-id", bad).delete(hook),
                    400, "x-tenant-id");
        }
        // Another tenant's number (existing or not) → 403.
        problem(given().header("Authorization", tenant.bearer()).header("x-tenant-id", other.number()).delete(hook),
                403, "tenant");
        problem(given().header("Authorization", tenant.bearer()).header("x-tenant-id", 999_999_999).delete(hook),
                403, "tenant");
        // The other tenant's own token for the other tenant: the hook is not theirs → 404.
        problem(cro(other).delete(hook), 404, "");
        DeleteEffects.assertUnchanged(before, id);
    }

    @Test
    void theApiVersionIsOptionalButMustBeKnown() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = create(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        for (String bad : List.of("2020/01/01", "2019/2/8", "2019-02-08", "x".repeat(65))) {
            croHeaders(cro(tenant).header("x-api-version", bad).delete("/hooks/" + created.get("number"))
                    .then().statusCode(400).contentType("application/problem+json"), "2019/02/08")
                    .body("detail", containsString("x-api-version"));
        }
        DeleteEffects.assertUnchanged(before, id);
        // Each documented version is accepted and echoed (on a 404, which changes nothing).
        for (String version : List.of("2019/02/08", "2021/04/07", "2021/05/07", "2021/08/02", "2021/11/04", "2023/04/19")) {
            croHeaders(cro(tenant).header("x-api-version", version).delete("/hooks/999999999")
                    .then().statusCode(404), version);
        }
    }

    @Test
    void theHookIdIsAPositiveInteger() {
        Api.Tenant tenant = Api.tenant();
        for (String bad : List.of("abc", "1.5", "-1", "0", "1e3", UUID.randomUUID().toString(), "99999999999999999999")) {
            problem(cro(tenant).delete("/hooks/" + bad), 400, "hook_id");
        }
        problem(cro(tenant).delete("/hooks/987654321"), 404, "");
    }

    @Test
    void aViewerMayNotDelete() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        Map<String, Object> created = create(tenant);
        DeleteEffects.State before = DeleteEffects.of(created.get("id"));
        problem(cro(viewer).delete("/hooks/" + created.get("number")), 403, "Admin or Dispatcher");
        DeleteEffects.assertUnchanged(before, UUID.fromString((String) created.get("id")));
    }

    // ---- bodies, formats, methods --------------------------------------------------------------

    @Test
    void onlyAnEmptyObjectOrNoBodyIsAccepted() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> created = create(tenant);
        UUID id = UUID.fromString((String) created.get("id"));
        DeleteEffects.State before = DeleteEffects.of(id);
        String hook = "/hooks/" + created.get("number");
        problem(cro(tenant).contentType("application/json").body("{").delete(hook), 400, "Malformed JSON body");
        problem(cro(tenant).contentType("application/json").body("[]").delete(hook), 400, "JSON object");
        problem(cro(tenant).contentType("text/plain").body("hello").delete(hook), 415, "text/plain");
        byte[] huge = new byte[1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        problem(cro(tenant).contentType("application/json").body(huge).delete(hook), 413, "");
        problem(cro(tenant).queryParam("format", "xml").delete(hook), 400, "xml");
        croHeaders(cro(tenant).accept("text/html").delete(hook).then().statusCode(406)
                .contentType("application/problem+json"), "2019/02/08");
        DeleteEffects.assertUnchanged(before, id);
        // A MessagePack {} is as good as a JSON one.
        cro(tenant).contentType("application/x-msgpack").body(Msgpack.encode(Map.of())).delete(hook)
                .then().statusCode(200);
    }

    @Test
    void thePreflightAnswersWithoutCredentials() {
        for (String path : List.of("/hooks/1", "/hooks/1/", "/hooks/anything")) {
            croHeaders(given().header("Origin", "https://app.example.com")
                    .header("Access-Control-Request-Method", "DELETE")
                    .header("Access-Control-Request-Headers", "Authorization, X-TENANT-ID")
                    .options(path).then().statusCode(204), "2019/02/08");
        }
    }

    @Test
    void otherMethodsAre405WithTheSameHeaders() {
        croHeaders(given().put("/hooks/1").then().statusCode(405).contentType("application/problem+json"),
                "2019/02/08");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A request with the seed's required headers for this tenant's client. */
    private static RequestSpecification cro(Api.Tenant tenant) {
        return given().header("Authorization", tenant.bearer()).header("x-tenant-id", tenant.number());
    }

    /** StandardResponseHeadersModel and the CORS headers of the seed's sample answer. */
    private static ValidatableResponse croHeaders(ValidatableResponse response, String apiVersion) {
        return response
                .header("x-api-version", apiVersion)
                .header("x-request-id", matchesPattern(UUID_PATTERN))
                .header("Allow", "GET,PATCH,DELETE")
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Methods", "GET,PATCH,DELETE")
                .header("Access-Control-Allow-Headers", "Authorization, Accept, X-TENANT-ID, Content-Type");
    }

    /** An RFC 9457 problem with CRO's headers whose detail names the problem. */
    private static void problem(Response response, int status, String detailContains) {
        croHeaders(response.then().statusCode(status).contentType("application/problem+json"), "2019/02/08")
                .body("status", equalTo(status))
                .body("type", equalTo("about:blank"))
                .body("title", org.hamcrest.Matchers.notNullValue())
                .body("detail", containsString(detailContains));
        assertFalse(response.asString().contains("Exception"), response.asString());
    }

    private static Map<String, Object> create(Api.Tenant tenant) {
        return Api.createSubscription(tenant, Map.of("name", "cro-" + UUID.randomUUID().toString().substring(0, 8),
                "url", "http://localhost:9797", "events", EVENTS));
    }

    private static String croDate(String column, UUID id) {
        return (String) Database.query("select to_char(" + column + " at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
                + " as d from subscription where id = ?", id).get(0).get("d");
    }
}

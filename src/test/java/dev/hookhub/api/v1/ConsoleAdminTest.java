package dev.hookhub.api.v1;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /v1 routes the console signs in and searches with: the org list, operator tokens, subscription search. */
@QuarkusTest
class ConsoleAdminTest {

    private static final String ADMIN = "Bearer " + Api.ADMIN_TOKEN;

    @Test
    void orgListPagesThroughEveryOrgInNumberOrder() {
        Api.Tenant a = Api.tenant();
        Api.Tenant b = Api.tenant();
        List<Integer> numbers = new ArrayList<>();
        Map<Integer, String> names = new HashMap<>();
        String cursor = null;
        do {
            var request = given().header("Authorization", ADMIN).queryParam("limit", 2);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/v1/admin/orgs").then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> items = page.getList("items");
            assertTrue(items.size() <= 2);
            for (Map<String, Object> item : items) {
                numbers.add((Integer) item.get("number"));
                names.put((Integer) item.get("number"), (String) item.get("name"));
                assertTrue(item.get("createdAt") instanceof String);
                assertTrue(item.get("id") instanceof String);
            }
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        assertEquals(Database.count("select count(*) from organization"), numbers.size());
        assertEquals(numbers.stream().sorted().toList(), numbers, "number order, no repeats");
        assertTrue(names.containsKey(a.number()) && names.containsKey(b.number()));
    }

    @Test
    void orgListNeedsTheAdminTokenAndValidInput() {
        given().get("/v1/admin/orgs").then().statusCode(401).body("status", is(401));
        given().header("Authorization", "Bearer wrong").get("/v1/admin/orgs").then().statusCode(401);
        given().header("Authorization", Api.tenant().bearer()).get("/v1/admin/orgs").then().statusCode(401);
        given().header("Authorization", ADMIN).queryParam("limit", 0).get("/v1/admin/orgs").then().statusCode(400);
        given().header("Authorization", ADMIN).queryParam("limit", "x").get("/v1/admin/orgs").then().statusCode(400);
        given().header("Authorization", ADMIN).queryParam("cursor", "!!").get("/v1/admin/orgs").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void operatorTokenActsInsideTheOrgWithTheUsualChecks() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> theirs = Api.createSubscription(Api.tenant());
        JsonPath token = given().header("Authorization", ADMIN).contentType(ContentType.JSON).body("{}")
                .post("/v1/admin/orgs/" + tenant.orgId() + "/tokens").then().statusCode(200)
                .body("token_type", equalTo("Bearer")).body("expires_in", is(900)).body("access_token", notNullValue())
                .extract().jsonPath();
        String bearer = "Bearer " + token.getString("access_token");
        String id = (String) given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body(Api.subscriptionBody("by-operator")).post("/v1/subscriptions").then().statusCode(201)
                .body("orgId", equalTo(tenant.orgId().toString())).body("createdBy", equalTo("client:operator"))
                .extract().path("id");
        assertEquals(tenant.orgId(), Database.query("select org_id from subscription where id = ?", UUID.fromString(id))
                .get(0).get("org_id"));
        given().header("Authorization", bearer).get("/v1/subscriptions/" + theirs.get("id")).then().statusCode(404);

        String viewer = "Bearer " + given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("roles", List.of("Viewer"))).post("/v1/admin/orgs/" + tenant.orgId() + "/tokens")
                .then().statusCode(200).extract().path("access_token");
        given().header("Authorization", viewer).get("/v1/subscriptions/" + id).then().statusCode(200);
        given().header("Authorization", viewer).delete("/v1/subscriptions/" + id).then().statusCode(403);
        assertEquals(1, Database.count("select count(*) from subscription where id = ? and deleted_at is null",
                UUID.fromString(id)));
    }

    @Test
    void operatorTokenRefusals() {
        UUID org = Api.tenant().orgId();
        given().contentType(ContentType.JSON).body("{}").post("/v1/admin/orgs/" + org + "/tokens").then().statusCode(401);
        given().header("Authorization", Api.tenant().bearer()).contentType(ContentType.JSON).body("{}")
                .post("/v1/admin/orgs/" + org + "/tokens").then().statusCode(401);
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body("{}")
                .post("/v1/admin/orgs/" + UUID.randomUUID() + "/tokens").then().statusCode(404).body("status", is(404));
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body("{}")
                .post("/v1/admin/orgs/not-a-uuid/tokens").then().statusCode(400);
        given().header("Authorization", ADMIN).contentType("text/plain").body("x")
                .post("/v1/admin/orgs/" + org + "/tokens").then().statusCode(415);
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("roles", List.of("Root")))
                .post("/v1/admin/orgs/" + org + "/tokens").then().statusCode(400).body("errors[0].field", equalTo("roles"));
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body("{\"roles\":")
                .post("/v1/admin/orgs/" + org + "/tokens").then().statusCode(400);
    }

    @Test
    void searchFindsByNameUrlOrCodeWithinTheOrg() {
        Api.Tenant tenant = Api.tenant();
        Api.createSubscription(tenant, Map.of("name", "Billing Hook", "url", "https://a.example.com/x",
                "events", List.of("e.one")));
        Api.createSubscription(tenant, Map.of("name", "other", "url", "https://billing.example.com/x",
                "events", List.of("e.one")));
        Api.createSubscription(tenant, Map.of("name", "third", "url", "https://c.example.com/x", "code", "BILL-3",
                "events", List.of("e.one")));
        Api.createSubscription(tenant, Map.of("name", "100% sure", "url", "https://d.example.com/x",
                "events", List.of("e.one")));
        Api.createSubscription(Api.tenant(), Map.of("name", "billing elsewhere", "url", "https://e.example.com/x",
                "events", List.of("e.one")));

        given().header("Authorization", tenant.bearer()).queryParam("q", "BILL").get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(3));
        given().header("Authorization", tenant.bearer()).queryParam("q", "bill").queryParam("limit", 2)
                .get("/v1/subscriptions").then().statusCode(200).body("items", hasSize(2))
                .body("nextCursor", notNullValue());
        given().header("Authorization", tenant.bearer()).queryParam("q", "0%").get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(1)).body("items[0].name", equalTo("100% sure"));
        given().header("Authorization", tenant.bearer()).queryParam("q", "_").get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(0));
        given().header("Authorization", tenant.bearer()).queryParam("q", "   ").get("/v1/subscriptions")
                .then().statusCode(200).body("items", hasSize(4));
        given().header("Authorization", tenant.bearer()).queryParam("q", "x".repeat(201)).get("/v1/subscriptions")
                .then().statusCode(400).body("status", is(400));
        given().queryParam("q", "bill").get("/v1/subscriptions").then().statusCode(401);
    }
}

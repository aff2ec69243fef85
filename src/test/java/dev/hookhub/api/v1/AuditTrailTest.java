package dev.hookhub.api.v1;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import dev.hookhub.support.Problems;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /v1/audit: every change of an org — through /v1, a dialect and the operator's routes — is in its audit
 * trail, newest first, with every field; paging returns each record once; the filters narrow it; only the
 * org's Admins read it.
 */
@QuarkusTest
class AuditTrailTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
    private static final Set<String> FIELDS = Set.of("id", "action", "actor", "surface", "remoteAddress", "subscriptionId",
            "target", "at");

    /** What one org did, and the records it expects, oldest first. */
    private record Story(Api.Tenant tenant, String kept, String deletedByDialect, String eventId, String keyId,
            String revokedClient, Instant middle, List<String> actions) {
    }

    @Test
    void everyChangeIsListedNewestFirstWithEveryField() {
        Story story = story();
        List<Map<String, Object>> items = all(story.tenant(), "");
        assertEquals(reversed(story.actions()), items.stream().map(i -> i.get("action")).toList(), "newest first");

        String operator = "operator";
        String client = "client:" + story.tenant().clientId();
        for (Map<String, Object> item : items) {
            assertEquals(FIELDS, item.keySet(), "every field, also when null: " + item);
            assertInstanceOf(Number.class, item.get("id"));
            assertTrue(((String) item.get("at")).matches(ISO_UTC), item.toString());
            assertEquals("127.0.0.1", item.get("remoteAddress"));
        }
        List<Long> ids = items.stream().map(i -> ((Number) i.get("id")).longValue()).toList();
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i) < ids.get(i - 1), "ids descend: " + ids);
        }
        // Oldest first in the story; the list is the reverse.
        List<Map<String, Object>> story0 = reversed(items);
        assertRecord(story0.get(0), "org.created", operator, "v1-admin", null, story.tenant().orgId().toString());
        assertRecord(story0.get(1), "client.created", operator, "v1-admin", null, story.tenant().clientId());
        assertRecord(story0.get(2), "subscription.create", client, "v1", story.kept(), null);
        assertRecord(story0.get(3), "subscription.create", client, "v1", story.deletedByDialect(), null);
        assertRecord(story0.get(4), "subscription.update", client, "v1", story.kept(), null);
        assertEquals("subscription.rotate_secret", story0.get(5).get("action"));
        assertEquals(story.kept(), story0.get(5).get("subscriptionId"));
        assertTrue(((String) story0.get(5).get("target")).startsWith("whk_"), "the new secret's key id, never the secret");
        assertRecord(story0.get(6), "subscription.delete", client, "m3ter", story.deletedByDialect(), null);
        assertRecord(story0.get(7), "api_key.created", operator, "v1-admin", null, story.keyId());
        assertRecord(story0.get(8), "api_key.revoked", operator, "v1-admin", null, story.keyId());
        assertRecord(story0.get(9), "client.created", operator, "v1-admin", null, story.revokedClient());
        assertRecord(story0.get(10), "client.revoked", operator, "v1-admin", null, story.revokedClient());
        assertRecord(story0.get(11), "event.erase", client, "v1", null, story.eventId());
        assertRecord(story0.get(12), "subscription.delete", client, "v1", story.kept(), null);

        // MessagePack: the same items, the time a timestamp.
        Map<String, Object> packed = Msgpack.decodeMap(as(story.tenant()).accept("application/x-msgpack").get("/v1/audit")
                .then().statusCode(200).contentType("application/x-msgpack").extract().asByteArray());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> packedItems = (List<Map<String, Object>>) packed.get("items");
        assertEquals(items.size(), packedItems.size());
        assertEquals(Instant.parse((String) items.get(0).get("at")), packedItems.get(0).get("at"));
        assertEquals(((Number) items.get(0).get("id")).longValue(), packedItems.get(0).get("id"));
    }

    @Test
    void pagingReturnsEachRecordOnceAndFiltersNarrow() {
        Story story = story();
        List<Map<String, Object>> everything = all(story.tenant(), "");
        List<Object> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RequestSpecification request = as(story.tenant()).queryParam("limit", 3);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Map<String, Object> page = request.get("/v1/audit").then().statusCode(200).extract().jsonPath().getMap("");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
            assertTrue(items.size() <= 3);
            items.forEach(i -> paged.add(i.get("id")));
            cursor = (String) page.get("nextCursor");
            pages++;
        } while (cursor != null && pages < 20);
        assertEquals(everything.stream().map(i -> i.get("id")).toList(), paged, "each record once, in order");
        assertEquals(5, pages, "13 records, 3 a page; the last page has no nextCursor");
        assertEquals(paged.size(), new HashSet<>(paged).size());

        assertEquals(List.of("v1", "m3ter"), all(story.tenant(), "action=subscription.delete").stream()
                .map(i -> i.get("surface")).toList());
        assertEquals(List.of("subscription.delete", "subscription.rotate_secret", "subscription.update", "subscription.create"),
                all(story.tenant(), "subscriptionId=" + story.kept()).stream().map(i -> i.get("action")).toList());
        assertEquals(List.of(), all(story.tenant(), "action=no.such_action"), "any well-formed action name filters");

        // since (inclusive) and until (exclusive) split the trail at a moment between two records.
        List<Map<String, Object>> after = all(story.tenant(), "since=" + story.middle());
        List<Map<String, Object>> beforeMiddle = all(story.tenant(), "until=" + story.middle());
        assertEquals(everything.size(), after.size() + beforeMiddle.size());
        assertEquals("api_key.created", after.get(after.size() - 1).get("action"), "the first record after the moment");
        assertEquals("subscription.delete", beforeMiddle.get(0).get("action"), "the last record before it (m3ter's)");
        assertEquals(List.of("api_key.created"), all(story.tenant(), "action=api_key.created&since=" + story.middle()
                .toString().replace("Z", "%2B00:00")).stream().map(i -> i.get("action")).toList());
        assertEquals(List.of(), all(story.tenant(), "action=api_key.created&until=" + story.middle()));
    }

    @Test
    void onlyTheOrgsAdminsReadItAndAnotherOrgSeesNoneOfIt() {
        Story story = story();
        Api.Tenant tenant = story.tenant();
        for (String role : List.of("Dispatcher", "Viewer")) {
            Api.Tenant caller = Api.client(tenant.orgId(), tenant.number(), List.of(role));
            as(caller).get("/v1/audit").then().statusCode(403).contentType("application/problem+json")
                    .body("status", is(403)).body("detail", containsString("Admin"));
        }
        given().get("/v1/audit").then().statusCode(401);
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).get("/v1/audit").then().statusCode(401);

        Api.Tenant other = Api.tenant();
        List<Map<String, Object>> theirs = all(other, "");
        assertEquals(List.of("client.created", "org.created"), theirs.stream().map(i -> i.get("action")).toList(),
                "another org sees its own records only");
        Set<Object> ours = all(tenant, "").stream().map(i -> i.get("id")).collect(Collectors.toSet());
        assertTrue(theirs.stream().noneMatch(i -> ours.contains(i.get("id"))));
        assertEquals(List.of(), all(other, "subscriptionId=" + story.kept()));
    }

    @Test
    void badQueryParametersAre400NamingTheField() {
        Api.Tenant tenant = Api.tenant();
        Map<String, String> bad = Map.of(
                "cursor", "not-a-cursor!",
                "limit", "0",
                "action", "DROP TABLE",
                "subscriptionId", "12",
                "since", "yesterday",
                "until", "2026-13-01T00:00:00Z");
        bad.forEach((name, value) -> as(tenant).queryParam(name, value).get("/v1/audit")
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", is(400)).body("detail", containsString("'" + name + "'")));
        // A cursor of another list (a subscription page's) is not one of these.
        as(tenant).queryParam("cursor", java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(UUID.randomUUID().toString().getBytes())).get("/v1/audit")
                .then().statusCode(400).body("detail", containsString("'cursor'"));
        as(tenant).queryParam("since", "2026-12-05T10:00:00Z").queryParam("until", "2026-12-05T09:00:00Z").get("/v1/audit")
                .then().statusCode(400).body("detail", containsString("'since'"));
        Map<String, Object> problem = Problems.msgpack(as(tenant).accept("application/x-msgpack")
                .queryParam("since", "5 minutes ago").get("/v1/audit"), 400, "Bad Request");
        assertTrue(((String) problem.get("detail")).contains("'since'"), problem.toString());
    }

    @Test
    void aPageIsAnIndexScanOfTheOrgsRecordsById() {
        Api.Tenant tenant = Api.tenant();
        String plan = Database.query("explain select * from audit where org_id = ? and id < ? order by id desc limit 51",
                tenant.orgId(), Long.MAX_VALUE).stream().map(r -> (String) r.values().iterator().next())
                .collect(Collectors.joining("\n"));
        assertTrue(plan.contains("Index Scan using audit_org_id"), plan);
        assertFalse(plan.contains("Sort"), plan);
    }

    /**
     * Through /v1: two subscriptions created, one changed and its secret rotated; one deleted by the m3ter
     * dialect; the operator creates and revokes an API key and a client; an event erased; the other
     * subscription deleted.
     */
    private static Story story() {
        Api.Tenant tenant = Api.tenant();
        String kept = (String) Api.createSubscription(tenant).get("id");
        String byDialect = (String) Api.createSubscription(tenant).get("id");
        as(tenant).contentType(ContentType.JSON).body(Map.of("description", "changed"))
                .patch("/v1/subscriptions/" + kept).then().statusCode(200);
        as(tenant).contentType(ContentType.JSON).body(Map.of()).post("/v1/subscriptions/" + kept + "/secret/rotate")
                .then().statusCode(200);
        as(tenant).delete("/organizations/" + tenant.orgId() + "/integrationdestinations/webhooks/" + byDialect)
                .then().statusCode(200);
        Instant middle = latestAuditTime(tenant).plusNanos(1000);
        awaitClockPast(middle);

        String keyId = operator().contentType(ContentType.JSON).body(Map.of("name", "k", "roles", List.of("Viewer")))
                .post("/v1/admin/orgs/" + tenant.orgId() + "/api-keys").then().statusCode(201).extract().path("id");
        operator().post("/v1/admin/orgs/" + tenant.orgId() + "/api-keys/" + keyId + "/revoke").then().statusCode(200);
        String clientId = operator().contentType(ContentType.JSON).body(Map.of("name", "c", "roles", List.of("Viewer")))
                .post("/v1/admin/orgs/" + tenant.orgId() + "/clients").then().statusCode(201).extract().path("clientId");
        operator().post("/v1/admin/orgs/" + tenant.orgId() + "/clients/" + clientId + "/revoke").then().statusCode(200);
        String eventId = as(tenant).contentType(ContentType.JSON).body(Map.of("type", "audit.me", "payload", Map.of("n", 1)))
                .post("/v1/events").then().statusCode(202).extract().path("id");
        as(tenant).delete("/v1/events/" + eventId).then().statusCode(200);
        as(tenant).delete("/v1/subscriptions/" + kept).then().statusCode(204);
        return new Story(tenant, kept, byDialect, eventId, keyId, clientId, middle, List.of("org.created", "client.created",
                "subscription.create", "subscription.create", "subscription.update", "subscription.rotate_secret",
                "subscription.delete", "api_key.created", "api_key.revoked", "client.created", "client.revoked",
                "event.erase", "subscription.delete"));
    }

    private static Instant latestAuditTime(Api.Tenant tenant) {
        return ((java.sql.Timestamp) Database.query("select max(at) as at from audit where org_id = ?", tenant.orgId())
                .get(0).get("at")).toInstant();
    }

    /** Records after this point must carry a later time: wait (by polling, not sleeping) until the clock has passed it. */
    private static void awaitClockPast(Instant moment) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2)).until(() -> Instant.now().isAfter(moment));
    }

    private static void assertRecord(Map<String, Object> item, String action, String actor, String surface,
            String subscriptionId, String target) {
        assertEquals(action, item.get("action"), item.toString());
        assertEquals(actor, item.get("actor"), item.toString());
        assertEquals(surface, item.get("surface"), item.toString());
        assertEquals(subscriptionId, item.get("subscriptionId"), item.toString());
        assertEquals(target, item.get("target"), item.toString());
        if (subscriptionId == null) {
            assertNull(item.get("subscriptionId"));
        }
    }

    /** Every record the query gives, following nextCursor (the largest page). */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> all(Api.Tenant tenant, String query) {
        List<Map<String, Object>> items = new ArrayList<>();
        String cursor = null;
        do {
            String url = "/v1/audit?limit=100" + (query.isEmpty() ? "" : "&" + query)
                    + (cursor == null ? "" : "&cursor=" + cursor);
            Response response = as(tenant).urlEncodingEnabled(false).get(url);
            response.then().statusCode(200).contentType("application/json").body("items", org.hamcrest.Matchers.notNullValue());
            Map<String, Object> page = response.jsonPath().getMap("");
            items.addAll((List<Map<String, Object>>) page.get("items"));
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        return items;
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static RequestSpecification as(Api.Tenant tenant) {
        return given().header("Authorization", tenant.bearer());
    }

    private static RequestSpecification operator() {
        return given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN);
    }
}

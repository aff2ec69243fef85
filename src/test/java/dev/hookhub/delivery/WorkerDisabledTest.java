package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With hookhub.delivery.worker-enabled=false events still fan out, but nothing is sent: the queue waits.
 * With no worker running, the claim itself can be exercised directly, as two instances would call it.
 */
@QuarkusTest
@TestProfile(WorkerDisabledTest.NoWorker.class)
class WorkerDisabledTest {

    public static class NoWorker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hookhub.delivery.worker-enabled", "false");
        }
    }

    @Inject
    DeliveryClaim claim;

    @Test
    void concurrentClaimsNeverShareADeliveryAndRespectTheBounds() {
        Api.Tenant tenant = Api.tenant();
        List<UUID> busy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            busy.add(UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", "c" + i,
                    "url", "http://127.0.0.1:9/hook", "events", List.of("c.laim"))).get("id")));
        }
        UUID inactive = UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", "off",
                "url", "http://127.0.0.1:9/hook", "events", List.of("c.laim"), "active", false)).get("id"));
        for (int i = 0; i < 6; i++) {
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", "c.laim", "payload", Map.of("i", i))).post("/v1/events").then().statusCode(202);
        }
        // Queued by the fan-out: 6 per active subscription; the inactive one got none, so give it one.
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status)"
                + " select gen_random_uuid(), event_id, ?, org_id, 'queued' from delivery where subscription_id = ? limit 1",
                inactive, busy.get(0));

        List<ClaimedDelivery> first = new ArrayList<>();
        List<ClaimedDelivery> second = new ArrayList<>();
        Uni.combine().all().unis(claim.claim(50, List.of(), Long.MAX_VALUE), claim.claim(50, List.of(), Long.MAX_VALUE)).asTuple()
                .invoke(t -> {
                    first.addAll(t.getItem1().deliveries());
                    second.addAll(t.getItem2().deliveries());
                }).await().atMost(Duration.ofSeconds(30));

        Set<UUID> claimed = new HashSet<>();
        first.forEach(d -> claimed.add(d.id()));
        second.forEach(d -> assertTrue(claimed.add(d.id()), "claimed twice: " + d.id()));
        Map<UUID, Long> perSubscription = new HashMap<>();
        for (List<ClaimedDelivery> batch : List.of(first, second)) {
            batch.forEach(d -> perSubscription.merge(d.subscriptionId(), 1L, Long::sum));
        }
        assertFalse(perSubscription.containsKey(inactive), "an inactive subscription's delivery is not claimed");
        perSubscription.values().forEach(n -> assertTrue(n <= 4, "per-subscription bound: " + perSubscription));
        assertEquals(claimed.size(), Database.count("select count(*) from delivery where org_id = ? and status = 'in_flight'"
                + " and locked_until > now() and attempts = 1", tenant.orgId()));
        // Everything claimable was claimed: 4 per active subscription.
        assertEquals(12, claimed.size());
        ClaimedDelivery any = first.isEmpty() ? second.get(0) : first.get(0);
        assertEquals("c.laim", any.type());
        assertEquals(1, any.secretCiphertexts().size());
        assertEquals(1, any.attempt());
    }

    @Test
    void anOrgAtItsInFlightBoundIsLeftOutOfTheClaim() {
        Api.Tenant full = Api.tenant();
        Api.Tenant other = Api.tenant();
        UUID fullSub = queued(full, "o.rg", 2, Map.of());
        UUID otherSub = queued(other, "o.rg", 2, Map.of());
        List<ClaimedDelivery> first = claim.claim(50, List.of(full.orgId()), Long.MAX_VALUE).await().atMost(Duration.ofSeconds(30)).deliveries();
        assertEquals(0, of(first, fullSub), "the org at its bound got nothing");
        assertEquals(2, of(first, otherSub), "the other org got its deliveries");
        List<ClaimedDelivery> next = claim.claim(50, List.of(), Long.MAX_VALUE).await().atMost(Duration.ofSeconds(30)).deliveries();
        assertEquals(2, of(next, fullSub), "below its bound again, it is served");
    }

    @Test
    void concurrentClaimsShareOneRateAllowanceAndOneFifoHead() {
        Api.Tenant tenant = Api.tenant();
        UUID limited = queued(tenant, "r.ate", 10, Map.of("rate_limit", 3, "max_in_flight", 10));
        UUID ordered = queued(tenant, "f.ifo", 5, Map.of("ordering", "fifo"));
        List<ClaimedDelivery> all = new ArrayList<>();
        Uni.combine().all().unis(claim.claim(50, List.of(), Long.MAX_VALUE), claim.claim(50, List.of(), Long.MAX_VALUE)).asTuple()
                .invoke(t -> {
                    all.addAll(t.getItem1().deliveries());
                    all.addAll(t.getItem2().deliveries());
                }).await().atMost(Duration.ofSeconds(30));
        assertEquals(3, of(all, limited), "one second's worth at 3/s, not one per claim");
        assertEquals(1, of(all, ordered), "one head, whichever claim got it");
        UUID head = all.stream().filter(d -> d.subscriptionId().equals(ordered)).findFirst().orElseThrow().id();
        assertEquals(head, Database.query("select id from delivery where subscription_id = ? order by seq limit 1", ordered)
                .get(0).get("id"), "the head is the first in publish order");
        DeliveryClaim.Batch again = claim.claim(50, List.of(), Long.MAX_VALUE).await().atMost(Duration.ofSeconds(30));
        assertEquals(0, of(again.deliveries(), limited), "the allowance is spent");
        assertEquals(0, of(again.deliveries(), ordered), "the head is in flight");
        assertTrue(again.held(), "held by a rate or a bound: the worker polls again soon");
    }

    @Test
    void aClaimTakesNoMorePayloadBytesThanItsBudgetButAlwaysOne() {
        Api.Tenant tenant = Api.tenant();
        UUID id = UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", "b.ytes",
                "url", "http://127.0.0.1:9/hook", "events", List.of("b.ytes"))).get("id"));
        for (int i = 0; i < 4; i++) {
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", "b.ytes", "payload", Map.of("s", "x".repeat(10_000)))).post("/v1/events")
                    .then().statusCode(202);
        }
        // Only this subscription's deliveries are claimable: the other tests' are held.
        Database.query("update subscription set paused_at = now() where id <> ? and paused_at is null", id);
        long size = Database.count("select octet_length(payload) from event where org_id = ? limit 1", tenant.orgId());
        assertTrue(size > 10_000, "a stored payload: " + size);

        List<ClaimedDelivery> two = claim.claim(50, List.of(), size + 1).await().atMost(Duration.ofSeconds(30)).deliveries();
        assertEquals(2, two.size(), "the first, and the second because the first left room");
        two.forEach(d -> assertEquals(size, d.size()));
        List<ClaimedDelivery> one = claim.claim(50, List.of(), 1).await().atMost(Duration.ofSeconds(30)).deliveries();
        assertEquals(1, one.size(), "the first always, however large");
        assertEquals(1, Database.count("select count(*) from delivery where subscription_id = ? and status = 'queued'", id),
                "the rest stays queued");
    }

    /** A subscription of the tenant, with these column values, and {@code count} queued deliveries of the type. */
    private static UUID queued(Api.Tenant tenant, String type, int count, Map<String, Object> columns) {
        UUID id = UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", type,
                "url", "http://127.0.0.1:9/hook", "events", List.of(type))).get("id"));
        columns.forEach((column, value) -> Database.query("update subscription set " + column + " = ?"
                + (value instanceof String ? "::text" : "::int") + " where id = ?", value, id));
        for (int i = 0; i < count; i++) {
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", type, "payload", Map.of("i", i))).post("/v1/events").then().statusCode(202);
        }
        return id;
    }

    private static long of(List<ClaimedDelivery> claimed, UUID subscription) {
        return claimed.stream().filter(d -> d.subscriptionId().equals(subscription)).count();
    }

    @Test
    void eventsQueueButNothingIsSent() {
        try (Receiver receiver = new Receiver()) {
            Api.Tenant tenant = Api.tenant();
            Api.createSubscription(tenant, Map.of("name", "idle", "url", receiver.url("/hook"), "events", List.of("q.ueue")));
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", "q.ueue", "payload", Map.of()))
                    .post("/v1/events").then().statusCode(202).body("deliveries", is(1));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.count() == 0);
            assertEquals(1, Database.count("select count(*) from delivery where org_id = ? and status = 'queued'"
                    + " and attempts = 0", tenant.orgId()));
        }
    }
}

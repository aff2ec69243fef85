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
        Uni.combine().all().unis(claim.claim(50), claim.claim(50)).asTuple()
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

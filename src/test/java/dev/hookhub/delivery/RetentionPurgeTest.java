package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** History and tombstones past the retention period (30 days by default) are purged; newer ones stay. */
@QuarkusTest
class RetentionPurgeTest {

    @Inject
    RetentionPurge purge;

    @Test
    void purgesOldAttemptsAndTombstonesOnly() throws Throwable {
        Api.Tenant tenant = Api.tenant();
        UUID oldTomb = id(Api.createSubscription(tenant));
        UUID recentTomb = id(Api.createSubscription(tenant));
        UUID live = id(Api.createSubscription(tenant));
        for (UUID s : new UUID[] {oldTomb, recentTomb}) {
            given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + s).then().statusCode(204);
        }
        Database.query("update subscription set deleted_at = now() - interval '31 days' where id = ?", oldTomb);
        UUID oldAttempt = attempt(live, tenant.orgId(), "40 days");
        UUID recentAttempt = attempt(live, tenant.orgId(), "29 days");
        UUID oldTombAttempt = attempt(oldTomb, tenant.orgId(), "31 days");

        // On a Vert.x context, as the scheduler runs it: the purge's transactions are Hibernate Reactive's.
        RetentionPurge.Purged purged = VertxContextSupport.subscribeAndAwait(purge::purge);

        assertTrue(purged.attempts() >= 2, "purged " + purged);
        assertTrue(purged.tombstones() >= 1, "purged " + purged);
        assertEquals(0, Database.count("select count(*) from subscription where id = ?", oldTomb));
        assertEquals(1, Database.count("select count(*) from subscription where id = ?", recentTomb));
        assertEquals(1, Database.count("select count(*) from subscription where id = ?", live));
        assertEquals(0, Database.count("select count(*) from delivery_attempt where id in (?, ?)", oldAttempt, oldTombAttempt));
        assertEquals(1, Database.count("select count(*) from delivery_attempt where id = ?", recentAttempt));
    }

    private static UUID attempt(UUID subscriptionId, UUID orgId, String age) {
        UUID id = UUID.randomUUID();
        Database.query("insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code,"
                + " status_description, duration_ms) values (?, ?, ?, ?, now() - interval '" + age + "', 200, '200 OK', 5)",
                id, subscriptionId, UUID.randomUUID(), orgId);
        return id;
    }

    private static UUID id(Map<String, Object> created) {
        return UUID.fromString((String) created.get("id"));
    }
}

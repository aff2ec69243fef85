package dev.hookhub.store;

import dev.hookhub.delivery.DeliveryAttempt;
import dev.hookhub.delivery.DeliveryAttemptRepository;
import dev.hookhub.delivery.DeliveryHistory;
import dev.hookhub.delivery.DeliveryRepository;
import dev.hookhub.subscription.SubscriptionRepository;
import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules the repositories own, asked of them directly on a Vert.x context (as a request runs them): live
 * only, paging order and cursors, and the row lock an edit holds. (quarkus-test-vertx, which brings
 * UniAsserter, is not served by the registry this project builds from; {@code on} does what it would.)
 */
@QuarkusTest
class RepositoryRulesTest {

    @Inject
    SubscriptionRepository subscriptions;

    @Inject
    DeliveryAttemptRepository attempts;

    @Inject
    DeliveryRepository deliveries;

    @Inject
    Pool pool;

    @Test
    void theQueueGaugesReadWhatTheTableHolds() {
        Api.Tenant tenant = Api.tenant();
        UUID subscription = id(Api.createSubscription(tenant));
        UUID event = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format) values (?, ?, 'gauge.test', ?, 'json')",
                event, tenant.orgId(), "{}".getBytes());
        // Inactive, so no worker takes it: queued and due for an hour, far in the past of anything else queued.
        Database.query("update subscription set active = false where id = ?", subscription);
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at)"
                + " values (?, ?, ?, ?, 'queued', now() - interval '1 hour')", UUID.randomUUID(), event, subscription,
                tenant.orgId());
        try {
            asserter.assertThat(() -> deliveries.queueState(), state -> {
                // Other tests' deliveries may come and go meanwhile: this one is pending and the oldest due.
                assertTrue(state.depth() >= 1, "depth " + state);
                assertTrue(state.oldestDue() != null && state.oldestDue().isBefore(Instant.now().minusSeconds(3500)),
                        "an hour overdue: " + state);
            });
        } finally {
            Database.query("delete from delivery where event_id = ?", event);
        }
    }

    @Test
    void aTombstoneOrAnotherOrgsSubscriptionIsNeverLive() {
        Api.Tenant tenant = Api.tenant();
        Api.Tenant other = Api.tenant();
        UUID live = id(Api.createSubscription(tenant));
        UUID deleted = id(Api.createSubscription(tenant));
        given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + deleted).then().statusCode(204);

        asserter.assertThat(() -> subscriptions.findLive(tenant.orgId(), live), s -> assertEquals(live, s.id));
        asserter.assertThat(() -> subscriptions.findLive(tenant.orgId(), deleted), s -> assertNull(s, "a tombstone"));
        asserter.assertThat(() -> subscriptions.findLive(other.orgId(), live), s -> assertNull(s, "another org's"));
        asserter.assertThat(() -> subscriptions.isLive(tenant.orgId(), deleted), found -> assertFalse(found));
        asserter.assertThat(() -> subscriptions.page(tenant.orgId(), null, null, 10),
                page -> assertEquals(List.of(live), page.stream().map(s -> s.id).toList()));
    }

    @Test
    void pagesGoInCreationOrderFromWhereThePreviousEnded() {
        Api.Tenant tenant = Api.tenant();
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(id(Api.createSubscription(tenant)));
        }
        asserter.assertThat(() -> subscriptions.page(tenant.orgId(), null, null, 3),
                page -> assertEquals(created.subList(0, 3), page.stream().map(s -> s.id).toList()));
        asserter.assertThat(() -> subscriptions.page(tenant.orgId(), null, created.get(2), 3),
                page -> assertEquals(created.subList(3, 5), page.stream().map(s -> s.id).toList()));
    }

    @Test
    void historyPagesAreNewestFirstAndTiesAreBrokenById() {
        Api.Tenant tenant = Api.tenant();
        UUID subscription = id(Api.createSubscription(tenant));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(60);
        // Five attempts, three of them at the same instant: a cursor of the time alone would skip or repeat.
        Instant[] times = {t, t.plusSeconds(1), t.plusSeconds(1), t.plusSeconds(1), t.plusSeconds(2)};
        List<UUID> ids = new ArrayList<>();
        for (Instant at : times) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            Database.query("insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code,"
                    + " status_description, duration_ms) values (?, ?, ?, ?, ?, 200, '200 OK', 5)",
                    id, subscription, UUID.randomUUID(), tenant.orgId(), java.sql.Timestamp.from(at));
        }
        List<UUID> seen = new ArrayList<>();
        DeliveryHistory.AttemptCursor[] cursor = {null};
        for (int page = 0; page < 3; page++) {
            asserter.assertThat(() -> attempts.ofSubscription(subscription, cursor[0], null, 2), rows -> {
                for (DeliveryAttempt a : rows) {
                    seen.add(a.id);
                }
                if (!rows.isEmpty()) {
                    DeliveryAttempt last = rows.get(rows.size() - 1);
                    cursor[0] = new DeliveryHistory.AttemptCursor(last.attemptedAt, last.id);
                }
            });
        }
        asserter.execute(() -> {
            List<UUID> expected = new ArrayList<>(List.of(ids.get(4)));
            expected.addAll(ids.subList(1, 4).stream()
                    // PostgreSQL orders uuids by their bytes, unsigned: as their text, not as UUID.compareTo does.
                    .sorted(java.util.Comparator.comparing(UUID::toString).reversed()).toList());
            expected.add(ids.get(0));
            assertEquals(expected, seen, "newest first, ties by id, each once");
        });
    }

    @Test
    void anEditsLockMakesAConcurrentLockerWaitAndATombstoneCannotBeLocked() {
        Api.Tenant tenant = Api.tenant();
        UUID id = id(Api.createSubscription(tenant));
        asserter.assertThat(() -> Panache.withTransaction(() -> subscriptions.lockLive(tenant.orgId(), id)
                .call(locked -> pool.preparedQuery("select id from subscription where id = $1 for update nowait")
                        .execute(Tuple.of(id)).onItemOrFailure().transform((rows, failure) -> failure))
                .flatMap(locked -> pool.preparedQuery("select id from subscription where id = $1 for update nowait")
                        .execute(Tuple.of(id)).onItemOrFailure().transform((rows, failure) -> {
                            assertTrue(locked, "the live row was locked");
                            return failure;
                        }))),
                failure -> {
                    assertInstanceOf(PgException.class, failure, "another connection could take the row");
                    assertEquals("55P03", ((PgException) failure).getSqlState());
                });
        asserter.execute(() -> given().header("Authorization", tenant.bearer()).delete("/v1/subscriptions/" + id)
                .then().statusCode(204));
        asserter.assertThat(() -> Panache.withTransaction(() -> subscriptions.lockLive(tenant.orgId(), id)),
                locked -> assertFalse(locked, "a tombstone is not live"));
    }

    /** Runs each Uni on a Vert.x context at once and checks its item (what UniAsserter would do). */
    private final Asserter asserter = new Asserter();

    private static final class Asserter {
        <T> void assertThat(Supplier<Uni<T>> uni, Consumer<T> check) {
            T item;
            try {
                item = VertxContextSupport.subscribeAndAwait(uni);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
            check.accept(item);
        }

        void execute(Runnable step) {
            step.run();
        }
    }

    private static UUID id(Map<String, Object> created) {
        return UUID.fromString((String) created.get("id"));
    }

}

package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;

/**
 * Deliveries an operator asks for by hand: "retry now" of a failed (or waiting) delivery, and a test
 * event sent to one subscription only. Each is one transaction that NOTIFYs the workers at commit.
 * Null answers mean "no such thing in this org" (404 for the caller); a state that forbids it is 409.
 */
@ApplicationScoped
public class ManualDeliveries {

    /** The test event, its one delivery, and its type (the subscription's first when none was asked for). */
    public record TestSent(UUID eventId, UUID deliveryId, String type) {
    }

    private final Pool pool;
    private final Payloads payloads;

    public ManualDeliveries(Pool pool, Payloads payloads) {
        this.pool = pool;
        this.payloads = payloads;
    }

    /**
     * Re-queues a delivery that failed for good or waits for its next retry, due now. Only deliveries of
     * live, active subscriptions of the org; queued-in-flight, succeeded and cancelled ones are 409.
     */
    public Uni<DeliveryHistory.DeliveryState> retry(UUID orgId, UUID deliveryId) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select d.status, s.active from delivery d join subscription s on s.id = d.subscription_id
                where d.id = $1 and d.org_id = $2 and s.deleted_at is null
                for update of d
                """).execute(Tuple.of(deliveryId, orgId)).flatMap(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().nullItem();
            }
            Row row = rows.iterator().next();
            String status = row.getString("status");
            if (!"failed".equals(status) && !"queued".equals(status)) {
                throw ProblemException.conflict("The delivery is " + status
                        + "; only a failed delivery or one waiting for its retry can be retried");
            }
            if (!row.getBoolean("active")) {
                throw ProblemException.conflict("The subscription is inactive; activate it before retrying");
            }
            return conn.preparedQuery("""
                    update delivery set status = 'queued', due_at = now(), locked_until = null, completed_at = null
                    where id = $1
                    returning id, subscription_id, status, attempts, due_at, created_at, completed_at
                    """).execute(Tuple.of(deliveryId))
                    .call(() -> wake(conn))
                    .map(updated -> DeliveryHistory.deliveryState(updated.iterator().next()));
        }));
    }

    /**
     * Stores a test event of one of the subscription's types and queues a delivery to that subscription
     * alone (POST /v1/events would reach every subscription of the type). Null when not found.
     */
    public Uni<TestSent> sendTest(UUID orgId, UUID subscriptionId, String requestedType, String actor) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select events, active from subscription
                where id = $1 and org_id = $2 and deleted_at is null for update
                """).execute(Tuple.of(subscriptionId, orgId)).flatMap(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().nullItem();
            }
            Row sub = rows.iterator().next();
            String[] events = sub.getArrayOfStrings("events");
            String type = requestedType == null ? events[0] : requestedType;
            if (!java.util.Arrays.asList(events).contains(type)) {
                throw ProblemException.invalidField("type", "'" + type + "' is not one of the subscription's events");
            }
            if (!sub.getBoolean("active")) {
                throw ProblemException.conflict("The subscription is inactive; activate it before sending a test");
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.put("test", true);
            payload.put("subscriptionId", subscriptionId.toString());
            payload.put("sentBy", actor);
            payload.put("sentAt", Instant.now().toString());
            Payloads.Stored stored = payloads.store(payload, WireFormat.JSON);
            UUID eventId = Ids.newId();
            UUID deliveryId = Ids.newId();
            return conn.preparedQuery("insert into event (id, org_id, type, payload, payload_format) values ($1, $2, $3, $4, $5)")
                    .execute(Tuple.of(eventId, orgId, type, io.vertx.core.buffer.Buffer.buffer(stored.bytes()),
                            stored.format()))
                    .call(() -> conn.preparedQuery("insert into delivery (id, event_id, subscription_id, org_id, status, due_at)"
                            + " values ($1, $2, $3, $4, 'queued', now())")
                            .execute(Tuple.of(deliveryId, eventId, subscriptionId, orgId)))
                    .call(() -> wake(conn))
                    .map(x -> new TestSent(eventId, deliveryId, type));
        }));
    }

    private static Uni<Void> wake(SqlConnection conn) {
        return conn.query("select pg_notify('" + EventPublisher.CHANNEL + "', '')").execute().replaceWithVoid();
    }
}

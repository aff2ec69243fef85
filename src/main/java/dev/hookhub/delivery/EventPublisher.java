package dev.hookhub.delivery;

import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Arrays;
import java.util.UUID;

/**
 * Publishing an event: register its type, store it, and fan out one queued delivery per active, live
 * subscription of the org that lists the type, NOTIFYing the workers when there is something to deliver
 * (delivered by PostgreSQL only at commit, so a worker never wakes before the rows are visible).
 *
 * <p>All of it is one statement of data-modifying CTEs, atomic on its own: an event without an
 * idempotency key is one round trip.
 *
 * <p>The fan-out holds each chosen subscription FOR KEY SHARE, the lock the delivery's foreign key takes
 * anyway, only earlier: a delete (FOR UPDATE, SubscriptionDeletion) in progress makes it wait, and under
 * READ COMMITTED the row is then re-checked in its committed version, so a tombstoned subscription is
 * skipped. It does not wait for edits, pauses or the sender's bookkeeping (FOR NO KEY UPDATE). With a key, a transaction first releases a key older than the
 * window and looks for the earlier event.
 */
@ApplicationScoped
public class EventPublisher {

    /** The NOTIFY channel the delivery workers LISTEN on. */
    public static final String CHANNEL = "hookhub_delivery";

    /** How long an idempotency key returns the first event. */
    static final String IDEMPOTENCY_WINDOW = "24 hours";

    private static final String PUBLISH = """
            with registered as (
                insert into event_type (org_id, name) values ($2, $3) on conflict do nothing
            ), inserted as (
                insert into event (id, org_id, type, payload, payload_format, idempotency_key)
                values ($1, $2, $3, $4, $5, $6) on conflict do nothing
                returning id
            ), fanned as (
                insert into delivery (id, event_id, subscription_id, org_id, status, due_at)
                select gen_random_uuid(), i.id, s.id, s.org_id, 'queued', now()
                  from inserted i, subscription s
                 where s.org_id = $2 and s.deleted_at is null and s.active
                   and subscription_event_keys(s.org_id, s.events) @> array[$7::text] and $3 = any(s.events)
                   for key share of s
                returning id
            ), notified as (
                select pg_notify('%s', '') from (select 1 from fanned limit 1) f
            )
            select (select count(*) from inserted) as inserted, (select count(*) from fanned) as deliveries,
                   (select count(*) from notified) as notified
            """.formatted(CHANNEL);

    /** A key older than the window is released, so the unique index lets it be used again. */
    private static final String RELEASE = "update event set idempotency_key = null where org_id = $1"
            + " and idempotency_key = $2 and created_at < now() - interval '" + IDEMPOTENCY_WINDOW + "'";

    private static final String EARLIER = "select e.id, (select count(*) from delivery d where d.event_id = e.id)"
            + " as deliveries from event e where e.org_id = $1 and e.idempotency_key = $2";

    /** The event's id, how many deliveries it fanned out to, and whether it was an earlier event (same key). */
    public record Published(UUID eventId, int deliveries, boolean duplicate) {
    }

    private final Pool pool;

    public EventPublisher(Pool pool) {
        this.pool = pool;
    }

    public Uni<Published> publish(UUID orgId, String type, Payloads.Stored payload, String idempotencyKey) {
        UUID eventId = Ids.newId();
        // The fan-out looks subscriptions up by "<org id> <type>" (V2__hot_path_indexes.sql).
        Tuple args = Tuple.from(Arrays.asList(eventId, orgId, type, Buffer.buffer(payload.bytes()), payload.format(),
                idempotencyKey, orgId + " " + type));
        if (idempotencyKey == null) {
            return insert(pool, eventId, args);
        }
        Tuple key = Tuple.of(orgId, idempotencyKey);
        return pool.withTransaction(connection -> connection.preparedQuery(RELEASE).execute(key)
                .flatMap(released -> earlier(connection, key))
                .flatMap(found -> found != null ? Uni.createFrom().item(found)
                        : insert(connection, eventId, args)
                                // Nothing inserted: a concurrent request with the same key committed first.
                                .flatMap(published -> published != null ? Uni.createFrom().item(published)
                                        : earlier(connection, key))));
    }

    /** The published event, or null when its idempotency key was taken meanwhile. */
    private static Uni<Published> insert(SqlClient client, UUID eventId, Tuple args) {
        return client.preparedQuery(PUBLISH).execute(args).map(rows -> {
            Row r = rows.iterator().next();
            return r.getLong("inserted") == 0 ? null : new Published(eventId, r.getLong("deliveries").intValue(), false);
        });
    }

    private static Uni<Published> earlier(SqlClient client, Tuple key) {
        return client.preparedQuery(EARLIER).execute(key).map(EventPublisher::first);
    }

    private static Published first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row r = rows.iterator().next();
        return new Published(r.getUUID("id"), r.getLong("deliveries").intValue(), true);
    }
}

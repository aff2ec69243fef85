package dev.hookhub.delivery;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Every query of the event table. Reads and the test event go through Panache; publishing is native
 * (below, and {@link EventPublisher} for what it guarantees).
 */
@ApplicationScoped
public class EventRepository implements PanacheRepositoryBase<Event, UUID> {

    /** The NOTIFY channel the delivery workers LISTEN on. */
    static final String CHANNEL = "hookhub_delivery";

    /** How long an idempotency key returns the first event. */
    static final String IDEMPOTENCY_WINDOW = "24 hours";

    private static final String PUBLISH = """
            with registered as (
                insert into event_type (org_id, name) values ($2, $3) on conflict do nothing
            ), inserted as (
                insert into event (id, org_id, type, payload, payload_format, idempotency_key, sealed)
                values ($1, $2, $3, $4, $5, $6, true) on conflict do nothing
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

    private final Pool pool;

    public EventRepository(Pool pool) {
        this.pool = pool;
    }

    /** The org's event with this id, or null. */
    @WithSession
    public Uni<Event> findInOrg(UUID orgId, UUID id) {
        return find("id = ?1 and orgId = ?2", id, orgId).firstResult();
    }

    /** The ids of the org's newest {@code limit} events (index event_org_created): offboarding's next batch. */
    @WithSession
    public Uni<List<UUID>> newestOfOrg(UUID orgId, int limit) {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select id from Event where orgId = ?1 order by createdAt desc", UUID.class)
                .setParameter(1, orgId).setMaxResults(limit).getResultList());
    }

    /** Deletes these events, in the caller's transaction (their deliveries first: DeliveryRepository.deleteOfEvents). */
    public Uni<Long> deleteAll(List<UUID> ids) {
        return ids.isEmpty() ? Uni.createFrom().item(0L) : delete("id in ?1", ids);
    }

    /** Whether the org has any event (offboarding's last check). */
    @WithSession
    public Uni<Boolean> anyOfOrg(UUID orgId) {
        return find("orgId", orgId).firstResult().map(e -> e != null);
    }

    /** Whether the org has an event with this id. */
    @WithSession
    public Uni<Boolean> existsInOrg(UUID orgId, UUID id) {
        return count("id = ?1 and orgId = ?2", id, orgId).map(n -> n > 0);
    }

    /**
     * Publishes: registers the type, stores the event and fans it out, NOTIFYing the workers. Native, through
     * the reactive client: one statement of data-modifying CTEs holding the chosen subscriptions FOR KEY SHARE
     * (the delete race, EventPublisher), one round trip where a Hibernate transaction took five (bench/README.md,
     * "Publishing"). With a key, the release, the look-up of the earlier event and the publish share one
     * transaction of the same client. Null when the key was taken meanwhile and no earlier event is visible.
     */
    /** {@code payload} is sealed (Payloads.seal) for the event's id. */
    Uni<EventPublisher.Published> publish(UUID eventId, UUID orgId, String type, Payloads.Stored payload,
            String idempotencyKey) {
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
    private static Uni<EventPublisher.Published> insert(SqlClient client, UUID eventId, Tuple args) {
        return client.preparedQuery(PUBLISH).execute(args).map(rows -> {
            Row r = rows.iterator().next();
            return r.getLong("inserted") == 0 ? null
                    : new EventPublisher.Published(eventId, r.getLong("deliveries").intValue(), false);
        });
    }

    private static Uni<EventPublisher.Published> earlier(SqlClient client, Tuple key) {
        return client.preparedQuery(EARLIER).execute(key).map(EventRepository::first);
    }

    private static EventPublisher.Published first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row r = rows.iterator().next();
        return new EventPublisher.Published(r.getUUID("id"), r.getLong("deliveries").intValue(), true);
    }

    /**
     * Up to {@code limit} events after {@code after} in id order whose payload is not sealed yet (stored before
     * payload encryption), through the
     * partial index event_unsealed. Not locked: two instances sealing the same row write two valid seals of the
     * same plaintext under the same key, and the last one stays.
     */
    public Uni<List<Event>> unsealed(UUID after, int limit) {
        return find("sealed = false and payload is not null and id > ?1 order by id", after).page(0, limit).list();
    }

    /** The org's event with this id unless it was erased, or null: what reads of an event show. */
    @WithSession
    public Uni<Event> findReadable(UUID orgId, UUID id) {
        return find("id = ?1 and orgId = ?2 and erasedAt is null", id, orgId).firstResult();
    }

    /** Which of these events of the org were erased (for the attempt history's {@code eventErased}). */
    @WithSession
    public Uni<Set<UUID>> erasedAmong(UUID orgId, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select e.id from Event e where e.orgId = :org and e.id in :ids and e.erasedAt is not null", UUID.class)
                .setParameter("org", orgId).setParameter("ids", Set.copyOf(ids))
                .getResultList())
                .map(Set::copyOf);
    }

    /**
     * Erases the org's event in the caller's transaction: its payload is dropped (null) and erasedAt set; id,
     * type and times stay so its attempts can say it was erased. 1 when it did, 0 when the org has no such
     * event or it was erased already (a conditional update: two erasures, one wins).
     */
    public Uni<Integer> erase(UUID orgId, UUID id, Instant at) {
        return update("payload = null, erasedAt = ?3 where id = ?1 and orgId = ?2 and erasedAt is null", id, orgId, at);
    }

    /**
     * A purge batch: the oldest events past the cutoff that no delivery waits on, along event_created (V14).
     * Deleted by row address (ctid): the rows stay locked until the statement ends, so their addresses hold, and
     * no index is descended again per row.
     */
    private static final String PURGE = """
            delete from event where ctid = any(array(
                select e.ctid from event e
                 where e.created_at < $1
                   and not exists (select 1 from delivery d where d.event_id = e.id and d.status in ('queued', 'in_flight'))
                 order by e.created_at limit $2
                   for update of e skip locked))
            """;

    /**
     * Deletes at most {@code batch} events created before the cutoff (erased ones too) that have no queued or
     * in-flight delivery, with their deliveries (foreign-key cascade); the count. Native, through the reactive
     * client, one statement in its own transaction: {@code FOR UPDATE SKIP LOCKED} (no HQL form) lets purges on
     * several instances take disjoint rows instead of waiting for (or deadlocking with) each other, and never
     * waits for a row a request holds.
     */
    public Uni<Integer> purgeBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> rows.rowCount());
    }
}

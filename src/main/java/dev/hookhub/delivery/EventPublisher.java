package dev.hookhub.delivery;

import dev.hookhub.subscription.EventTypes;
import dev.hookhub.support.Ids;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * Publishing an event: store it, register its type, and fan out one queued delivery per active, live
 * subscription of the org that lists the type — one transaction, which also NOTIFYs the workers
 * (delivered by PostgreSQL only at commit, so a worker never wakes before the rows are visible).
 */
@ApplicationScoped
public class EventPublisher {

    /** The NOTIFY channel the delivery workers LISTEN on. */
    public static final String CHANNEL = "hookhub_delivery";

    /** How long an idempotency key returns the first event. */
    static final String IDEMPOTENCY_WINDOW = "24 hours";

    /** The event's id, how many deliveries it fanned out to, and whether it was an earlier event (same key). */
    public record Published(UUID eventId, int deliveries, boolean duplicate) {
    }

    private final EventTypes eventTypes;

    public EventPublisher(EventTypes eventTypes) {
        this.eventTypes = eventTypes;
    }

    @WithTransaction
    public Uni<Published> publish(UUID orgId, String type, Payloads.Stored payload, String idempotencyKey) {
        if (idempotencyKey == null) {
            return insert(orgId, type, payload, null);
        }
        // A key older than the window is released, so the unique index lets it be used again.
        return update("update event set idempotency_key = null where org_id = ?1 and idempotency_key = ?2"
                + " and created_at < now() - interval '" + IDEMPOTENCY_WINDOW + "'", orgId, idempotencyKey)
                .flatMap(n -> earlier(orgId, idempotencyKey))
                .flatMap(found -> found != null ? Uni.createFrom().item(found) : insert(orgId, type, payload, idempotencyKey));
    }

    private Uni<Published> insert(UUID orgId, String type, Payloads.Stored payload, String idempotencyKey) {
        UUID eventId = Ids.newId();
        return eventTypes.register(orgId, List.of(type))
                .flatMap(v -> update("insert into event (id, org_id, type, payload, payload_format, idempotency_key)"
                        + " values (?1, ?2, ?3, ?4, ?5, ?6) on conflict do nothing",
                        eventId, orgId, type, payload.bytes(), payload.format(), idempotencyKey))
                // Nothing inserted: a concurrent request with the same key committed first.
                .flatMap(inserted -> inserted == 0 ? earlier(orgId, idempotencyKey) : fanOut(eventId, orgId, type));
    }

    private Uni<Published> fanOut(UUID eventId, UUID orgId, String type) {
        return update("insert into delivery (id, event_id, subscription_id, org_id, status, due_at)"
                + " select gen_random_uuid(), ?1, s.id, s.org_id, 'queued', now() from subscription s"
                + " where s.org_id = ?2 and s.deleted_at is null and s.active"
                // The indexed expression of V2__fan_out_index.sql, then the plain check it stands for.
                + " and subscription_event_keys(s.org_id, s.events) @> array[cast(?4 as text)]"
                + " and ?3 = any(s.events)", eventId, orgId, type, orgId + " " + type)
                .call(n -> n == 0 ? Uni.createFrom().voidItem() : Panache.getSession().flatMap(session -> session
                        .createNativeQuery("select count(*) from (select pg_notify('" + CHANNEL + "', '')) n")
                        .getSingleResult()))
                .map(n -> new Published(eventId, n, false));
    }

    private static Uni<Published> earlier(UUID orgId, String idempotencyKey) {
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("select cast(e.id as text), (select count(*) from delivery d where d.event_id = e.id)"
                        + " from event e where e.org_id = ?1 and e.idempotency_key = ?2")
                .setParameter(1, orgId).setParameter(2, idempotencyKey)
                .getResultList())
                .map(rows -> {
                    if (rows.isEmpty()) {
                        return null;
                    }
                    Object[] row = (Object[]) rows.get(0);
                    return new Published(UUID.fromString((String) row[0]), ((Number) row[1]).intValue(), true);
                });
    }

    private static Uni<Integer> update(String sql, Object... args) {
        return Panache.getSession().flatMap(session -> {
            var query = session.createNativeQuery(sql);
            for (int i = 0; i < args.length; i++) {
                query.setParameter(i + 1, args[i]);
            }
            return query.executeUpdate();
        });
    }
}

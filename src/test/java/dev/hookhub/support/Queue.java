package dev.hookhub.support;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Events and deliveries written straight into the queue tables, in any state a test needs. */
public final class Queue {

    private Queue() {
    }

    /** An event of the org of this type, published {@code ago} before now. */
    public static UUID event(UUID orgId, String type, Duration ago) {
        UUID id = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format, created_at)"
                + " values (?, ?, ?, '\\x7b7d'::bytea, 'json', ?)", id, orgId, type, at(ago));
        return id;
    }

    /**
     * A delivery of the event to the subscription: its status and attempts, created {@code ago} before now and due
     * an hour from now (a retry not yet due); its publish order number drawn as the row is inserted.
     */
    public static UUID delivery(UUID orgId, UUID subscriptionId, UUID eventId, String status, int attempts, Duration ago) {
        UUID id = UUID.randomUUID();
        boolean finished = List.of("succeeded", "failed", "cancelled").contains(status);
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, attempts, due_at, created_at,"
                        + " completed_at, locked_until) values (?, ?, ?, ?, ?, ?, now() + interval '1 hour', ?, ?, ?)",
                id, eventId, subscriptionId, orgId, status, attempts, at(ago), finished ? at(ago.minusMinutes(1)) : null,
                "in_flight".equals(status) ? OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(5) : null);
        return id;
    }

    /** The delivery's row as the queue sees it, to compare before and after a request. */
    public static Map<String, Object> row(UUID deliveryId) {
        return Database.query("select id, status, attempts, due_at, created_at, completed_at, locked_until, seq"
                + " from delivery where id = ?", deliveryId).get(0);
    }

    /** Every delivery row of the subscription, in id order. */
    public static List<Map<String, Object>> rows(UUID subscriptionId) {
        return Database.query("select id, status, attempts, due_at, created_at, completed_at, locked_until, seq"
                + " from delivery where subscription_id = ? order by id", subscriptionId);
    }

    private static OffsetDateTime at(Duration ago) {
        return OffsetDateTime.now(ZoneOffset.UTC).minus(ago);
    }
}

package dev.hookhub.support;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What a delete leaves in the database (API.md §2), asserted the same way for every surface: the
 * tombstone, the dropped queue, the shredded secrets and the audit record — or, for a refused request,
 * that none of it happened.
 */
public final class DeleteEffects {

    private DeleteEffects() {
    }

    /** The parts of a subscription a delete changes, to compare before and after a refused request. */
    public record State(Map<String, Object> row, long secrets, long pendingDeliveries, long audits) {
    }

    public static State of(Object subscriptionId) {
        UUID id = UUID.fromString(subscriptionId.toString());
        return new State(
                Database.query("select deleted_at, deleted_by, active, version, modified_at from subscription where id = ?", id).get(0),
                Database.count("select count(*) from signing_secret where subscription_id = ?", id),
                Database.count("select count(*) from delivery where subscription_id = ? and status in ('queued', 'in_flight')", id),
                Database.count("select count(*) from audit where subscription_id = ?", id));
    }

    /** Asserts the subscription is live and exactly as it was before. */
    public static void assertUnchanged(State before, Object subscriptionId) {
        State now = of(subscriptionId);
        assertNull(now.row().get("deleted_at"), "still live");
        assertEquals(before, now, "nothing changed");
    }

    /**
     * One event of the org with a queued and a succeeded delivery to the subscription. The queued one is
     * due tomorrow, so the delivery worker of the test application leaves it queued while a test looks.
     */
    public static void queueDeliveries(UUID orgId, Object subscriptionId, String eventType) {
        UUID id = UUID.fromString(subscriptionId.toString());
        UUID eventId = UUID.randomUUID();
        Database.query("insert into event (id, org_id, type, payload, payload_format) values (?, ?, ?, '\\x7b7d'::bytea, 'json')",
                eventId, orgId, eventType);
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status, due_at)"
                + " values (?, ?, ?, ?, 'queued', now() + interval '1 day')",
                UUID.randomUUID(), eventId, id, orgId);
        Database.query("insert into delivery (id, event_id, subscription_id, org_id, status) values (?, ?, ?, ?, 'succeeded')",
                UUID.randomUUID(), eventId, id, orgId);
    }

    /**
     * The core's steps as the database shows them: tombstoned by the actor (active false, version
     * unchanged), no pending delivery left (finished ones kept), no secret row, one audit record of the surface.
     */
    public static void assertDeleted(Object subscriptionId, int version, String actor, String surface) {
        UUID id = UUID.fromString(subscriptionId.toString());
        Map<String, Object> row = Database.query("select * from subscription where id = ?", id).get(0);
        assertNotNull(row.get("deleted_at"), "deleted_at set");
        assertEquals(actor, row.get("deleted_by"));
        assertEquals(false, row.get("active"));
        assertEquals(version, row.get("version"), "a delete does not bump the version");
        assertEquals(0, Database.count("select count(*) from signing_secret where subscription_id = ?", id), "crypto-shredded");
        assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ? and status in ('queued', 'in_flight')", id),
                "queued deliveries dropped");
        // Creating and changing it were audited too (subscription.create, .update): one record of the delete.
        var audits = Database.query("select * from audit where subscription_id = ? and action = 'subscription.delete'", id);
        assertEquals(1, audits.size(), "one audit record of the delete");
        Map<String, Object> audit = audits.get(0);
        assertEquals("subscription.delete", audit.get("action"));
        assertEquals(surface, audit.get("surface"));
        assertEquals(actor, audit.get("actor"));
        assertNotNull(audit.get("remote_address"));
    }
}

package dev.hookhub.support;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What the delete core (API.md §2) leaves in the database, asserted the same way for every surface. */
public final class Deletions {

    private Deletions() {
    }

    /**
     * Deleted: tombstoned by the actor (deleted_at, active false), the version not bumped, its secrets
     * shredded, no delivery left queued or in flight, and one audit record of the surface.
     */
    public static void assertDeleted(UUID id, String surface, String actor) {
        Map<String, Object> row = Database.query("select * from subscription where id = ?", id).get(0);
        assertNotNull(row.get("deleted_at"), "deleted_at");
        assertEquals(actor, row.get("deleted_by"));
        assertEquals(false, row.get("active"));
        assertEquals(1, row.get("version"), "a delete does not bump the version");
        assertEquals(0, Database.count("select count(*) from signing_secret where subscription_id = ?", id),
                "crypto-shredded");
        assertEquals(0, Database.count("select count(*) from delivery where subscription_id = ?"
                + " and status in ('queued', 'in_flight')", id), "pending deliveries dropped");
        List<Map<String, Object>> audit = Database.query("select * from audit where subscription_id = ?", id);
        assertEquals(1, audit.size(), "one audit record");
        assertEquals("subscription.delete", audit.get(0).get("action"));
        assertEquals(surface, audit.get(0).get("surface"));
        assertEquals(actor, audit.get(0).get("actor"));
        assertNotNull(audit.get(0).get("remote_address"));
    }

    /** Nothing changed: live, active, version 1, its one secret there, no audit record. */
    public static void assertLive(UUID id) {
        Map<String, Object> row = Database.query("select * from subscription where id = ?", id).get(0);
        assertNull(row.get("deleted_at"), "deleted_at");
        assertEquals(true, row.get("active"));
        assertEquals(1, row.get("version"));
        assertEquals(1, Database.count("select count(*) from signing_secret where subscription_id = ?", id));
        assertEquals(0, Database.count("select count(*) from audit where subscription_id = ?", id));
    }
}

package dev.hookhub.delivery;

import dev.hookhub.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The claim's plan stays on the indexes when the queue table was analyzed empty and the plan was cached
 * (a generic plan, as on a pooled connection) while the queue held a few rows, then 15,000 arrive: the
 * benchmark's first delivery run after emptying the queue, where a sequential plan took 140 ms a claim,
 * and later, with sequential scans off, a merge join of the whole queue 18 ms and a queue scan per
 * chosen row 80 ms. The claim goes subscription by subscription since; the plan must still use each
 * step's index condition, not walk the queue. Also when the table was analyzed with its history (finished
 * deliveries) and an empty queue: the statistics then say almost no row is queued, and a plan walked every
 * queued row in due order in each step, 700 ms a claim, until the index that allowed it went (V20).
 * Runs in a schema of its own, in one transaction that is rolled back.
 */
@QuarkusTest
class DeliveryClaimPlanTest {

    @ParameterizedTest(name = "the queue table analyzed {0}")
    @EnumSource(Analyzed.class)
    void aPlanCachedWhileTheQueueWasNearlyEmptyStillReadsTheIndexesWhenItIsFull(Analyzed analyzed) throws Exception {
        String plan = cachedPlanAfterABurst(DeliveryRepository.PLANNER_SETTINGS, analyzed);
        assertFalse(plan.contains("Seq Scan on delivery"), plan);
        assertFalse(plan.contains("Bitmap Heap Scan on delivery"), plan);
        // Subscription by subscription: each step one descent to the next subscription with queued rows ...
        assertTrue(plan.contains("Recursive Union"), plan);
        assertTrue(plan.contains("Index Only Scan using delivery_subscription_id_due_at_idx on delivery d\n"), plan);
        assertTrue(plan.contains("Index Cond: (subscription_id > v_1.subscription_id)"), plan);
        // ... its live leases counted from the index alone, its due rows counted and taken under its own key.
        assertTrue(plan.contains("Index Only Scan using delivery_subscription_id_locked_until_idx on delivery f_1"), plan);
        assertTrue(plan.contains("Index Cond: ((subscription_id = v_2.subscription_id) AND (due_at <= now()))"), plan);
        // Nothing reads the queue in due order across subscriptions (one backlog in front of all others) or
        // sorts it.
        assertFalse(plan.contains("using delivery_due_at_idx"), plan);
        assertFalse(plan.contains("Sort Key: q."), plan);
        // Expired leases: the live-subscription check stays a per-row subplan of the ordered scan, which stops
        // at the limit: as a join, the plan merge-joined every subscription with every row and sorted them all.
        assertTrue(plan.contains("Filter: ((status = 'in_flight'::text) AND (SubPlan"), plan);
        assertFalse(plan.contains("Merge Join"), plan);
        // The chosen rows are updated by primary key: as a join, the plan scanned the queue once per row.
        assertTrue(plan.contains("Index Cond: (id = ANY ("), plan);
    }

    @Test
    void withoutTheClaimsSettingsTheSamePlanReadsTheTableSequentially() throws Exception {
        // The case the settings are for: this is what the claim ran with before.
        String plan = cachedPlanAfterABurst("select 1", Analyzed.EMPTY);
        assertTrue(plan.contains("Seq Scan on delivery"), plan);
    }

    @ParameterizedTest(name = "the queue table analyzed {0}")
    @EnumSource(Analyzed.class)
    void theRecordersWritesFindTheirRowsByKeyInAPlanCachedWhileTheQueueWasNearlyEmpty(Analyzed analyzed) throws Exception {
        // As joins with the attempts, the same plan read every pending row of the queue on each write (or,
        // without the claim's settings, the whole table). Now the leased rows at most: the in-flight index.
        String plan = cachedPlanAfterABurst(DeliveryRepository.PLANNER_SETTINGS, analyzed, "prepare claim_plan as " + DeliveryAttemptRepository.SQL,
                "explain (costs off) execute claim_plan(" + String.join(", ", java.util.Collections.nCopies(14, "'{}'")) + ", 30, '{}')");
        assertFalse(plan.contains("Seq Scan on delivery"), plan);
        // The finished rows among the leased ones (the in-flight index), or by primary key; not among every
        // pending row (the index LIKE ... INCLUDING ALL names delivery_subscription_id_idx here).
        assertTrue(plan.contains("Index Scan using delivery_subscription_id_locked_until_idx on delivery d")
                || plan.contains("Index Scan using delivery_pkey on delivery d"), plan);
        // The cancellation of a deactivated subscription's queue runs only when one is deactivated.
        assertTrue(plan.contains("One-Time Filter"), plan);
        // Nothing goes over the batch once per row of it: the generic plan cannot know the batch's size, and a
        // nested loop or a subplan over it compared every outcome with every leased row (6 ms for 134) or every
        // attempt with every subscription's (1 ms).
        // Each of these steps reads the batch once at most, and not in a loop.
        for (String step : new String[] {"done", "per_sub"}) {
            String part = cte(plan, step);
            int reads = part.split("CTE Scan on input", -1).length - 1;
            assertTrue(reads == 0 || reads == 1 && !part.contains("Nested Loop") && !part.contains("SubPlan"), step + ":\n" + part);
        }
    }

    /** The part of a plan that computes one CTE of the statement: from "CTE name" to the next line as little indented. */
    private static String cte(String plan, String name) {
        String[] lines = plan.split("\n");
        StringBuilder part = new StringBuilder();
        int indent = -1;
        for (String line : lines) {
            int at = line.length() - line.stripLeading().length();
            if (indent < 0) {
                if (line.strip().equals("CTE " + name)) {
                    indent = at;
                    part.append(line).append('\n');
                }
            } else if (at <= indent && !line.isBlank()) {
                break;
            } else {
                part.append(line).append('\n');
            }
        }
        assertTrue(indent >= 0, "no CTE " + name + " in\n" + plan);
        return part.toString();
    }

    /** What the delivery table held when it was last analyzed: nothing, or finished deliveries and an empty queue. */
    enum Analyzed {
        EMPTY, WITH_HISTORY_ONLY;

        @Override
        public String toString() {
            return this == EMPTY ? "empty" : "with its history and an empty queue";
        }
    }

    private static String cachedPlanAfterABurst(String settings, Analyzed analyzed) throws Exception {
        return cachedPlanAfterABurst(settings, analyzed, "prepare claim_plan(int, int, float8, uuid, int, float8, uuid[], bigint) as "
                + DeliveryRepository.SQL, "explain (costs off) execute claim_plan(32, 4, 20000, '" + DeliveryRepository.START
                + "', 256, 30, '{}', 8388608)");
    }

    private static String cachedPlanAfterABurst(String settings, Analyzed analyzed, String prepare, String explain) throws Exception {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                sql.execute("create schema claim_plan");
                for (String table : new String[] {"subscription", "event", "delivery", "signing_secret", "delivery_pace"}) {
                    sql.execute("create table claim_plan." + table + " (like public." + table + " including all)");
                }
                sql.execute("set local search_path = claim_plan, public");
                // The claim's functions of a subscription row (V18), for this schema's row type.
                for (String function : new String[] {"claim_pace", "claim_bound", "claim_rate", "pace_signal"}) {
                    String definition;
                    try (ResultSet row = sql.executeQuery("select pg_get_functiondef('public." + function + "'::regproc)")) {
                        row.next();
                        definition = row.getString(1);
                    }
                    sql.execute(definition.replace("FUNCTION public.", "FUNCTION claim_plan.")
                            .replace("public.subscription", "claim_plan.subscription"));
                }
                sql.execute(settings);
                sql.execute("set local plan_cache_mode = force_generic_plan");
                sql.execute("insert into organization (id, name) values ('00000000-0000-7000-8000-0000000000aa', 'claim plan')");
                sql.execute("""
                        insert into subscription (id, org_id, name, url, events, content_type, headers, active, version,
                                                  created_at, created_by, modified_at, modified_by)
                        select gen_random_uuid(), '00000000-0000-7000-8000-0000000000aa', 's' || g, 'https://r.example.com/h',
                               '{a}', 'application/json', '{}', true, 1, now(), 't', now(), 't'
                          from generate_series(1, 1000) g""");
                // The queue table's history: finished deliveries, none queued or in flight. Analyzed so, the statistics
                // say almost no row is queued, which made a plan walk every queued row of delivery_due (due order) in
                // each step, 700 ms a claim of 256 with 50,000 queued (V20).
                if (analyzed == Analyzed.WITH_HISTORY_ONLY) {
                    sql.execute("""
                        insert into event (id, org_id, type, payload, payload_format, created_at)
                        select gen_random_uuid(), '00000000-0000-7000-8000-0000000000aa', 'h', '\\x7b7d', 'json', now() - interval '1 day'
                          from generate_series(1, 50) g""");
                    sql.execute("""
                        insert into delivery (id, event_id, subscription_id, org_id, status, attempts, due_at, completed_at)
                        select gen_random_uuid(), e.id, s.id, s.org_id, 'succeeded', 1, e.created_at, e.created_at
                          from event e cross join subscription s""");
                }
                // The subscriptions and the history analyzed as they are; the queue empty.
                sql.execute("analyze claim_plan.subscription, claim_plan.event, claim_plan.delivery, claim_plan.signing_secret");
                sql.execute("""
                        insert into event (id, org_id, type, payload, payload_format, created_at)
                        select gen_random_uuid(), '00000000-0000-7000-8000-0000000000aa', 'a', '\\x7b7d', 'json',
                               now() - g * interval '10 milliseconds'
                          from generate_series(1, 300) g""");
                String burst = """
                        insert into delivery (id, event_id, subscription_id, org_id, status, due_at)
                        select gen_random_uuid(), e.id, s.id, s.org_id, 'queued', e.created_at
                          from (select * from event where type = 'a' order by created_at limit %d) e
                         cross join (select * from subscription order by name limit 50) s""";
                sql.execute(burst.formatted(2));
                sql.execute(prepare);
                plan(sql, explain);
                sql.execute("delete from delivery where status = 'queued'");
                sql.execute(burst.formatted(300));
                return plan(sql, explain);
            } finally {
                connection.rollback();
            }
        }
    }

    private static String plan(Statement sql, String explain) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rows = sql.executeQuery(explain)) {
            while (rows.next()) {
                plan.append(rows.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }
}

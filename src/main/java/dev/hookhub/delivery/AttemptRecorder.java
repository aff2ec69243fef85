package dev.hookhub.delivery;

import dev.hookhub.store.PipelinedTransaction;
import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes what attempts came to: the history rows, each subscription's lastHttpSuccess / lastHttpFail /
 * failing run (and deactivation), each delivery's next state, and — when a subscription is deactivated
 * — the cancellation of its other queued deliveries.
 *
 * <p>Attempts that finish while a write is running are written together by the next one, in one
 * statement (natural batching: one attempt alone is written at once; under load a statement carries up
 * to {@link #MAX_BATCH}). A subscription row is then updated once per statement, not once per attempt.
 *
 * <p>The delivery row may be gone (its subscription was deleted while the attempt was in flight): the
 * history row is still written, nothing is re-queued. Only a row this worker still leases
 * ({@code in_flight}) changes. Native SQL for the same reasons as {@link DeliveryClaim}.
 */
@ApplicationScoped
public class AttemptRecorder {

    /** Most attempts written by one statement. */
    static final int MAX_BATCH = 128;

    static final String SQL = """
            with input as (
                select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[],
                                     $7::int[], $8::text[], $9::int[], $10::bool[], $11::bool[], $12::text[],
                                     $13::timestamptz[])
                    as i(id, delivery_id, subscription_id, event_id, org_id, attempted_at, status_code,
                         status_description, duration_ms, success, deactivate, status, due_at)
            ), locked as (
                -- The subscriptions first, in id order, then their deliveries (below, through this CTE): the
                -- delete core's order. Updating a delivery first deadlocked with a delete that held the
                -- subscription and waited for that delivery.
                select s.id from subscription s
                 where s.id = any(array(select distinct i.subscription_id from input i))
                 order by s.id
                   for no key update
            ), attempt as (
                insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,
                                              status_code, status_description, duration_ms)
                select id, delivery_id, subscription_id, event_id, org_id, attempted_at, status_code,
                       status_description, duration_ms from input
            ), outcome as (
                select subscription_id,
                       max(attempted_at) filter (where success) as last_success,
                       max(attempted_at) filter (where not success) as last_fail,
                       bool_or(deactivate) as deactivate
                  from input group by subscription_id
            ), per_sub as (
                -- The failing run as the attempts in time order leave it: none when the last one succeeded,
                -- from the first failure after the last success, or still running since before this batch.
                select o.*, (select min(i.attempted_at) from input i where i.subscription_id = o.subscription_id
                               and not i.success and (o.last_success is null or i.attempted_at > o.last_success))
                            as first_fail_since_success
                  from outcome o
            ), sub as (
                update subscription s
                   set last_http_success = coalesce(p.last_success, s.last_http_success),
                       last_http_fail = coalesce(p.last_fail, s.last_http_fail),
                       failing_since = case
                           when p.first_fail_since_success is null then
                               case when p.last_success is null then s.failing_since end
                           when p.last_success is null then coalesce(s.failing_since, p.first_fail_since_success)
                           else p.first_fail_since_success end,
                       active = s.active and not p.deactivate
                  from per_sub p
                 where s.id = p.subscription_id and s.deleted_at is null
                returning s.id
            ), done as (
                -- The rows by their ids (at worst a scan of the leased rows only), and below only when a
                -- subscription is deactivated (a one-time filter): as joins, a plan cached while the queue
                -- was nearly empty read every pending row of it on each write (40 ms with 15,000 queued).
                update delivery d
                   set status = i.status, due_at = coalesce(i.due_at, d.due_at), locked_until = null,
                       completed_at = case when i.status = 'queued' then null else now() end
                  from input i
                 where d.id = any($2::uuid[]) and d.id = i.delivery_id and d.status = 'in_flight'
                   and (select count(*) from locked) >= 0
                returning d.id
            ), cancelled as (
                update delivery d set status = 'cancelled', completed_at = now(), locked_until = null
                 where exists (select 1 from per_sub p where p.deactivate)
                   and d.subscription_id = any(array(select p.subscription_id from per_sub p where p.deactivate))
                   and d.status = 'queued' and d.id <> all($2::uuid[])
                returning d.subscription_id
            )
            select i.delivery_id, exists (select 1 from done where done.id = i.delivery_id) as updated,
                   (select count(*) from cancelled c where c.subscription_id = i.subscription_id) as cancelled
              from input i
            """;

    /** Whether the delivery row was still ours to update, and how many queued siblings were cancelled. */
    public record Recorded(boolean updated, long cancelled) {
    }

    private record Pending(UUID id, ClaimedDelivery delivery, AttemptOutcome outcome, RetryPolicy.Decision decision,
            CompletableFuture<Recorded> result) {
    }

    private final Pool pool;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    public AttemptRecorder(Pool pool) {
        this.pool = pool;
    }

    public Uni<Recorded> record(ClaimedDelivery d, AttemptOutcome outcome, RetryPolicy.Decision decision) {
        Pending pending = new Pending(Ids.newId(), d, outcome, decision, new CompletableFuture<>());
        queue.add(pending);
        drain();
        return Uni.createFrom().completionStage(pending.result());
    }

    /** Writes what is queued, unless a write is running (its end drains again). */
    private void drain() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>();
            for (Pending p; batch.size() < MAX_BATCH && (p = queue.poll()) != null;) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                writing.set(false);
                continue;
            }
            write(batch).subscribe().with(rows -> finish(batch, rows, null), failure -> finish(batch, null, failure));
            return;
        }
    }

    private void finish(List<Pending> batch, RowSet<Row> rows, Throwable failure) {
        writing.set(false);
        if (failure != null) {
            batch.forEach(p -> p.result().completeExceptionally(failure));
        } else {
            Map<UUID, Recorded> byDelivery = new HashMap<>();
            for (Row r : rows) {
                byDelivery.put(r.getUUID("delivery_id"), new Recorded(r.getBoolean("updated"), r.getLong("cancelled")));
            }
            batch.forEach(p -> p.result().complete(byDelivery.getOrDefault(p.delivery().id(), new Recorded(false, 0))));
        }
        drain();
    }

    private Uni<RowSet<Row>> write(List<Pending> batch) {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        UUID[] deliveries = new UUID[n];
        UUID[] subscriptions = new UUID[n];
        UUID[] events = new UUID[n];
        UUID[] orgs = new UUID[n];
        OffsetDateTime[] attemptedAt = new OffsetDateTime[n];
        Integer[] statusCodes = new Integer[n];
        String[] descriptions = new String[n];
        Integer[] durations = new Integer[n];
        Boolean[] successes = new Boolean[n];
        Boolean[] deactivations = new Boolean[n];
        String[] statuses = new String[n];
        OffsetDateTime[] dueAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Pending p = batch.get(i);
            ids[i] = p.id();
            deliveries[i] = p.delivery().id();
            subscriptions[i] = p.delivery().subscriptionId();
            events[i] = p.delivery().eventId();
            orgs[i] = p.delivery().orgId();
            attemptedAt[i] = utc(p.outcome().attemptedAt());
            statusCodes[i] = p.outcome().statusCode();
            descriptions[i] = printable(p.outcome().description());
            durations[i] = (int) Math.min(Integer.MAX_VALUE, p.outcome().durationMs());
            successes[i] = RetryPolicy.isSuccess(p.outcome().statusCode());
            deactivations[i] = p.decision().deactivate();
            statuses[i] = p.decision().status();
            dueAt[i] = utc(p.decision().dueAt());
        }
        Tuple args = Tuple.from(List.of(ids, deliveries, subscriptions, events, orgs, attemptedAt, statusCodes,
                descriptions, durations, successes, deactivations, statuses, dueAt));
        // With the claim's planner settings, for the same reason (a plan cached while the queue was nearly
        // empty read the whole queue, or seq-scanned it, on every write): one round trip all the same.
        return pool.withConnection(connection -> PipelinedTransaction.run(connection.getDelegate(),
                DeliveryClaim.INDEX_ONLY_BEGIN, SQL, args.getDelegate()));
    }

    /**
     * The description as text PostgreSQL stores: a receiver's reason phrase is the receiver's to choose,
     * and one NUL character would fail the whole batch (and so re-send every attempt in it).
     */
    static String printable(String description) {
        if (description == null) {
            return "";
        }
        StringBuilder text = new StringBuilder(Math.min(description.length(), 300));
        for (int i = 0; i < description.length() && text.length() < 300; i++) {
            char c = description.charAt(i);
            text.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return text.toString();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

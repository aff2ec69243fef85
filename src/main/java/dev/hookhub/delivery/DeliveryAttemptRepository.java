package dev.hookhub.delivery;

import dev.hookhub.store.PipelinedTransaction;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Every query of the delivery history (delivery results). Attempts are written in batches by one native
 * statement (below; {@link AttemptRecorder} batches them) and read through Panache: a subscription's
 * history by cursor, an event's attempts and hourly figures; the retention purge is native (below). The
 * delete core reads a deleted subscription's history inside its own statement. The recorder's statement also writes
 * the operational events its outcomes raise (exhausted deliveries, disabled subscriptions) into their outbox
 * ({@link OperationalEvents}).
 */
@ApplicationScoped
public class DeliveryAttemptRepository implements PanacheRepositoryBase<DeliveryAttempt, UUID> {

    static final String SQL = """
            with input as (
                select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[],
                                     $7::int[], $8::text[], $9::int[], $10::bool[], $11::bool[], $12::text[],
                                     $13::timestamptz[], $14::bool[], $16::int[])
                    as i(id, delivery_id, subscription_id, event_id, org_id, attempted_at, status_code,
                         status_description, duration_ms, success, deactivate, status, due_at, throttle, claim)
            ), locked as (
                -- The subscriptions first, in id order, then their deliveries (below, through this CTE): the
                -- delete core's order. Updating a delivery first deadlocked with a delete that held the
                -- subscription and waited for that delivery.
                select s.id, s.active from subscription s
                 where s.id = any(array(select distinct i.subscription_id from input i))
                 order by s.id
                   for no key update
            ), attempt as (
                insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,
                                              status_code, status_description, duration_ms)
                select id, delivery_id, subscription_id, event_id, org_id, attempted_at, status_code,
                       status_description, duration_ms from input
                -- Written again after a failure whose commit had landed (AttemptRecorder): the same row, once.
                    on conflict (id) do nothing
            ), per_sub as (
                -- Per subscription, in one pass over the batch (a subquery per subscription read the whole batch for
                -- each: quadratic). The failing run as the attempts in time order leave it: none when the last one
                -- succeeded, from the first failure after the last success, or still running since before this batch.
                select subscription_id,
                       max(attempted_at) filter (where success) as last_success,
                       max(attempted_at) filter (where not success) as last_fail,
                       min(attempted_at) filter (where not success and (sub_last_success is null or attempted_at > sub_last_success))
                           as first_fail_since_success,
                       bool_or(deactivate) as deactivate,
                       -- The adaptive pace's signals: a throttling answer or a timeout, and the answered attempts' time.
                       bool_or(throttle) as throttle,
                       avg(duration_ms) filter (where status_code is not null)::float8 as answered_ms
                  from (select i.*, max(i.attempted_at) filter (where i.success) over (partition by i.subscription_id)
                                        as sub_last_success
                          from input i) i
                 group by subscription_id
            ), outcomes as materialized (
                -- Each delivery's outcome by "<delivery id> <claim>", looked up per row by done (below): joined with
                -- the batch, the generic plan (which cannot know the batch's size) compared every leased row with
                -- every outcome, 17,822 comparisons and 6 ms for a batch of 134, 47 ms with 1,000 leases.
                select jsonb_object_agg(i.delivery_id || ' ' || i.claim, jsonb_build_array(i.status, i.due_at)) as by_claim
                  from input i
            ), sub as (
                update subscription s
                   set last_http_success = coalesce(p.last_success, s.last_http_success),
                       last_http_fail = coalesce(p.last_fail, s.last_http_fail),
                       failing_since = case
                           when p.first_fail_since_success is null then
                               case when p.last_success is null then s.failing_since end
                           when p.last_success is null then coalesce(s.failing_since, p.first_fail_since_success)
                           else p.first_fail_since_success end,
                       active = s.active and not p.deactivate,
                       -- Halved (from its pace now) on a signal, at most once a second; it recovers on its own (claim_pace).
                       pace = case when pace_signal(s, p.throttle, p.answered_ms) then greatest(1.0 / 64, claim_pace(s, $15::float8) / 2)
                                   else s.pace end,
                       paced_at = case when pace_signal(s, p.throttle, p.answered_ms) then now() else s.paced_at end,
                       latency_ms = case when p.answered_ms is null then s.latency_ms
                                         else coalesce(s.latency_ms * 0.8 + p.answered_ms * 0.2, p.answered_ms) end
                  from per_sub p
                 where s.id = p.subscription_id and s.deleted_at is null
                returning s.id, s.org_id, s.number, s.name, s.url, s.events, s.active, s.failing_since
            ), done as (
                -- The rows by their ids (at worst a scan of the leased rows only), and below only when a
                -- subscription is deactivated (a one-time filter): as joins, a plan cached while the queue
                -- was nearly empty read every pending row of it on each write (40 ms with 15,000 queued).
                update delivery d
                   set status = o.by_claim -> (d.id || ' ' || d.attempts) ->> 0,
                       due_at = coalesce((o.by_claim -> (d.id || ' ' || d.attempts) ->> 1)::timestamptz, d.due_at),
                       locked_until = null,
                       completed_at = case when o.by_claim -> (d.id || ' ' || d.attempts) ->> 0 = 'queued' then null else now() end
                  from outcomes o
                 where d.id = any($2::uuid[]) and d.status = 'in_flight'
                   -- Only the claim that made the attempt (the claim counts attempts; the outcome's key): when its lease
                   -- ran out before this outcome came (a slow recording, a stalled instance), the row was claimed again
                   -- and the newer attempt's outcome decides it; this one is history only, as for a deleted row.
                   and o.by_claim -> (d.id || ' ' || d.attempts) is not null
                   and (select count(*) from locked) >= 0
                returning d.id, d.event_id, d.subscription_id, d.org_id, d.status, d.attempts, d.completed_at
            ), cancelled as (
                update delivery d set status = 'cancelled', completed_at = now(), locked_until = null
                 where exists (select 1 from per_sub p where p.deactivate)
                   and d.subscription_id = any(array(select p.subscription_id from per_sub p where p.deactivate))
                   and d.status = 'queued' and d.id <> all($2::uuid[])
                returning d.subscription_id
            ), exhausted as (
                -- hookhub.delivery.exhausted into the outbox (OperationalEvents) for each delivery this batch failed,
                -- unless it delivered a hookhub.* event (an operational event never causes another one), and only
                -- when a live, active subscription of the org listens (org_listens: the fan-out's index).
                insert into operational_event (org_id, type, data)
                select d.org_id, 'hookhub.delivery.exhausted', json_build_object('deliveryId', d.id,
                           'eventId', d.event_id, 'eventType', d.type, 'subscriptionId', d.subscription_id,
                           'attempts', d.attempts, 'lastStatusCode', i.status_code,
                           'lastStatusDescription', i.status_description, 'failedAt', iso_utc(d.completed_at))
                  from (select done.*, (select e.type from event e where e.id = done.event_id) as type
                          from done where done.status = 'failed') d
                  join input i on i.delivery_id = d.id
                 where d.type not ilike 'hookhub.%' and org_listens(d.org_id, 'hookhub.delivery.exhausted', null)
            ), disabled as (
                -- hookhub.subscription.disabled for each subscription this batch turned inactive (active when locked,
                -- inactive after `sub`), to the org's other listeners. RetryPolicy deactivates on a 410 (gone) or
                -- when the failing run is too long (failing); the reason is read from the last deactivating attempt.
                insert into operational_event (org_id, type, data)
                select s.org_id, 'hookhub.subscription.disabled', json_build_object(
                           'subscription', json_build_object('id', s.id, 'number', s.number, 'name', s.name,
                                   'url', s.url, 'events', s.events),
                           'reason', case when last.status_code = 410 then 'gone' else 'failing' end,
                           'lastStatusCode', last.status_code, 'failingSince', iso_utc(s.failing_since),
                           'disabledAt', iso_utc(now()),
                           'cancelledDeliveries', (select count(*) from cancelled c where c.subscription_id = s.id))
                  from sub s
                  join locked l on l.id = s.id and l.active and not s.active
                 cross join lateral (select i.status_code from input i where i.subscription_id = s.id and i.deactivate
                                      order by i.attempted_at desc limit 1) last
                 where org_listens(s.org_id, 'hookhub.subscription.disabled', s.id)
            )
            select i.delivery_id, exists (select 1 from done where done.id = i.delivery_id) as updated,
                   (select count(*) from cancelled c where c.subscription_id = i.subscription_id) as cancelled
              from input i
            """;

    /** One hour of figures; the durations null when it had no attempts. */
    public record Hour(Instant start, long attempts, long succeeded, Integer avgDurationMs, Integer p95DurationMs,
            Integer maxDurationMs) {
    }

    private static final String SUCCEEDED = "statusCode between 200 and 299";
    private static final String FAILED = "(statusCode is null or statusCode not between 200 and 299)";

    private final Pool pool;

    public DeliveryAttemptRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Writes a batch of attempts and what they came to (the columns of {@link #SQL}'s {@code input}). Native,
     * through the reactive client: one statement for up to 128 attempts, their subscriptions and deliveries,
     * which is what the delivery rate rests on (bench/README.md, "Delivery"). With the claim's planner settings
     * for the same reason as the claim (a plan cached while the queue was nearly empty read the whole queue,
     * or seq-scanned it, on every write): one round trip all the same.
     */
    Uni<RowSet<Row>> record(Tuple args) {
        return pool.withConnection(connection -> PipelinedTransaction.run(connection.getDelegate(),
                DeliveryRepository.INDEX_ONLY_BEGIN, SQL, args.getDelegate()));
    }

    /** A page of a subscription's attempts, newest first, after the cursor (null from the newest). */
    @WithSession
    public Uni<List<DeliveryAttempt>> ofSubscription(UUID subscriptionId, DeliveryHistory.AttemptCursor after, DeliveryHistory.Outcome outcome, int limit) {
        Parameters params = Parameters.with("subscription", subscriptionId);
        String where = "subscriptionId = :subscription";
        if (after != null) {
            // A row comparison: the index on (subscription_id, attempted_at desc, id desc) starts at the cursor.
            where += " and (attemptedAt, id) < (:at, :id)";
            params = params.and("at", after.attemptedAt()).and("id", after.id());
        }
        return find(where + outcome(outcome) + " order by attemptedAt desc, id desc", params).page(0, limit).list();
    }

    /** The org's attempts of one event, oldest first, at most {@code limit}. */
    @WithSession
    public Uni<List<DeliveryAttempt>> ofEvent(UUID orgId, UUID eventId, DeliveryHistory.Outcome outcome, int limit) {
        return find("eventId = :event and orgId = :org" + outcome(outcome) + " order by attemptedAt, id",
                Parameters.with("event", eventId).and("org", orgId)).page(0, limit).list();
    }

    /**
     * The org's (or one subscription's) attempts since {@code from} by hour: only hours that had attempts, in
     * no particular order.
     */
    @WithSession
    public Uni<List<Hour>> hourly(UUID orgId, UUID subscriptionId, Instant from) {
        String hql = "select trunc(a.attemptedAt, hour), count(*), count(*) filter (where a." + SUCCEEDED + "),"
                + " avg(a.durationMs), percentile_cont(0.95) within group (order by a.durationMs), max(a.durationMs)"
                + " from DeliveryAttempt a where a.orgId = :org and a.attemptedAt >= :from"
                + (subscriptionId == null ? "" : " and a.subscriptionId = :subscription")
                + " group by trunc(a.attemptedAt, hour)";
        return Panache.getSession().flatMap(session -> {
            var query = session.createSelectionQuery(hql, Object[].class).setParameter("org", orgId).setParameter("from", from);
            if (subscriptionId != null) {
                query.setParameter("subscription", subscriptionId);
            }
            return query.getResultList();
        }).map(rows -> rows.stream().map(r -> new Hour((Instant) r[0], ((Number) r[1]).longValue(),
                ((Number) r[2]).longValue(), rounded(r[3]), rounded(r[4]), r[5] == null ? null : ((Number) r[5]).intValue()))
                .toList());
    }

    /**
     * A purge batch: the oldest attempts past the cutoff, along delivery_attempt_attempted_at. Deleted by row
     * address (ctid): the rows stay locked until the statement ends, so their addresses hold, and no index is
     * descended again per row.
     */
    private static final String PURGE = """
            delete from delivery_attempt where ctid = any(array(
                select a.ctid from delivery_attempt a
                 where a.attempted_at < $1
                 order by a.attempted_at limit $2
                   for update of a skip locked))
            """;

    /**
     * Deletes at most {@code batch} attempts made before the cutoff; the count. Native, through the reactive
     * client, one statement in its own transaction: {@code FOR UPDATE SKIP LOCKED} (no HQL form) lets purges on
     * several instances take disjoint rows instead of waiting for (or deadlocking with) each other, and never
     * waits for a row a request holds.
     */
    public Uni<Integer> purgeBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> rows.rowCount());
    }

    /**
     * Deletes at most {@code batch} attempts of these subscriptions, in the caller's transaction; the count. Their
     * ids first, as many as the batch (index delivery_attempt_subscription, read no further): a limit in a
     * subquery needs an order, which would read and sort every attempt of the subscriptions.
     */
    public Uni<Long> deleteOfSubscriptions(List<UUID> subscriptionIds, int batch) {
        if (subscriptionIds.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select id from DeliveryAttempt where subscriptionId in :subscriptions", UUID.class)
                .setParameter("subscriptions", subscriptionIds).setMaxResults(batch).getResultList())
                .flatMap(ids -> ids.isEmpty() ? Uni.createFrom().item(0L) : delete("id in ?1", ids));
    }

    /** Whether any of these subscriptions has an attempt left. */
    @WithSession
    public Uni<Boolean> anyOfSubscriptions(List<UUID> subscriptionIds) {
        return subscriptionIds.isEmpty() ? Uni.createFrom().item(false)
                : find("subscriptionId in ?1", subscriptionIds).firstResult().map(a -> a != null);
    }

    private static String outcome(DeliveryHistory.Outcome outcome) {
        return outcome == null ? "" : " and " + (outcome == DeliveryHistory.Outcome.succeeded ? SUCCEEDED : FAILED);
    }

    private static Integer rounded(Object value) {
        return value == null ? null : (int) Math.round(((Number) value).doubleValue());
    }
}

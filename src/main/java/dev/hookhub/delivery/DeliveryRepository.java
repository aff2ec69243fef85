package dev.hookhub.delivery;

import dev.hookhub.store.PipelinedTransaction;
import dev.hookhub.subscription.Subscription;
import dev.hookhub.subscription.SubscriptionRepository;
import dev.hookhub.support.SqlRows;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every query of the delivery table (the queue). The claim is native (below); the test event's delivery,
 * manual retries, an event's deliveries and the queue gauges go through Panache.
 */
@ApplicationScoped
public class DeliveryRepository implements PanacheRepositoryBase<Delivery, UUID> {

    static final String SQL = """
            with recursive expired as (
                -- Leases that ran out, in expiry order. The claimable-subscription check is a subquery per row that
                -- OFFSET 0 keeps from becoming a join: as a join, a plan made while the queue was nearly empty
                -- merge-joined every subscription with every row and sorted them all, on every claim. A paused
                -- subscription's run-out leases wait for its resume.
                select q.id, q.subscription_id, q.locked_until from delivery q
                where q.status = 'in_flight' and q.locked_until < now()
                  and exists (select 1 from subscription s where s.id = q.subscription_id
                                and s.deleted_at is null and s.active and s.paused_at is null offset 0)
                order by q.locked_until
                limit $1
                for update of q skip locked
            ), recovered as (
                -- Within each subscription's bound (claim_bound, V18): its live leases plus the rank among its expired ones.
                select r.id, r.subscription_id from (
                    select x.id, x.subscription_id,
                           row_number() over (partition by x.subscription_id order by x.locked_until)
                           + (select count(*) from delivery f where f.subscription_id = x.subscription_id
                                and f.status = 'in_flight' and f.locked_until >= now()) as slot,
                           (select claim_bound(s, $2, $6::float8) from subscription s where s.id = x.subscription_id) as bound
                      from expired x) r
                 where r.slot <= r.bound
            ), visit (subscription_id, n, steps, wrapped, take, total, held, rate, fifo, head) as (
                -- One subscription per step, from after the cursor ($4) in id order, wrapping around once:
                -- each step is one descent of delivery_subscription_due, however long anyone's backlog.
                -- take: its free slots (none if it is at its bound, not live, not active or paused), at most its due
                -- rows, its rate allowance and what the batch has left; total: the batch so far; held: at its bound
                -- or its rate. n counts the claimable subscriptions visited, steps every one: a paused, inactive
                -- or deleted subscription with queued rows (thousands of paused ones, say) costs its index descent but
                -- not a visit. Stops at a full batch, at $5 claimable visits or 16 x $5 steps, or back at the cursor.
                select $4::uuid, 0, 0, false, 0, (select count(*) from recovered)::int, false, null::float8, false, null::uuid
                union all
                select nx.subscription_id, v.n + case when terms.bound is null then 0 else 1 end, v.steps + 1, nx.wrapped,
                       take.n, v.total + take.n,
                       coalesce(room.n <= 0, false) or take.rate_held, terms.rate, coalesce(terms.fifo, false), terms.head
                  from visit v
                 cross join lateral (
                        (select d.subscription_id, v.wrapped as wrapped from delivery d
                          where d.status = 'queued' and d.subscription_id > v.subscription_id
                          order by d.subscription_id limit 1)
                        union all
                        (select d.subscription_id, true from delivery d
                          where not v.wrapped and d.status = 'queued' order by d.subscription_id limit 1)
                        limit 1) nx
                 left join lateral (
                        -- Its terms now (V18): in-flight bound and rate at its adaptive pace; when ordered, its head,
                        -- the first pending delivery in publish order, the only one it may take. None unless claimable.
                        select claim_bound(s, $2, $6::float8) as bound, claim_rate(s, $6::float8) as rate, s.ordering = 'fifo' as fifo,
                               case when s.ordering = 'fifo' then (select h.id from delivery h where h.subscription_id = s.id
                                      and h.status in ('queued', 'in_flight') order by h.seq limit 1) end as head
                          from subscription s
                         where s.id = nx.subscription_id and s.deleted_at is null and s.active and s.paused_at is null
                           and s.org_id <> all($7::uuid[]) -- orgs at their in-flight bound in this instance
                        offset 0) terms on true
                 cross join lateral (
                        select case when terms.bound is not null
                                    then least($1 - v.total, terms.bound
                                           - (select count(*) from delivery f where f.subscription_id = nx.subscription_id
                                                and f.status = 'in_flight' and f.locked_until >= now())::int
                                           - (select count(*) from recovered r where r.subscription_id = nx.subscription_id)::int)
                                    end as n
                        offset 0) room
                 cross join lateral (
                        -- One claim at a time takes from a subscription, until it commits (26731: this lock's
                        -- class): two concurrent claims would each count the other's leases as free slots, or spend
                        -- the same rate allowance. The lock first (OFFSET 0), then what is read after it.
                        select coalesce(case when lk.got then
                                   (select count(*) from (select 1 from delivery q where q.subscription_id = nx.subscription_id
                                            and q.status = 'queued' and q.due_at <= now() and (not terms.fifo or q.id = terms.head)
                                            order by q.due_at
                                            limit greatest(0, least(room.n, terms.bound - live_leases(nx.subscription_id)
                                                - (select count(*) from recovered r where r.subscription_id = nx.subscription_id)::int))) due)::int
                                   end, 0) as due,
                               case when lk.got and terms.rate is not null then rate_allowance(nx.subscription_id, terms.rate) end as allowed
                          from (select room.n > 0 and pg_try_advisory_xact_lock(26731, hashtext(nx.subscription_id::text)) as got
                                offset 0) lk
                        offset 0) grant_
                 cross join lateral (
                        select least(grant_.due, coalesce(grant_.allowed, grant_.due)) as n,
                               coalesce(grant_.allowed < grant_.due, false) as rate_held) take
                 where v.total < $1 and v.n < $5 and v.steps < 16 * $5 and not (nx.wrapped and nx.subscription_id > $4)
            ), chosen as (
                select id from recovered
                union all
                select q.id from visit v cross join lateral (
                    select q.id from delivery q
                     where q.subscription_id = v.subscription_id and q.status = 'queued' and q.due_at <= now()
                       and (not v.fifo or q.id = v.head)
                     order by q.due_at limit v.take
                     for update of q skip locked) q
                 where v.take > 0
            ), sized as (
                -- Within the byte budget ($8, what the instance's max-in-flight-bytes has left): the chosen rows in
                -- turn while the payloads before each one fit, so the first always goes however large. Sizes from
                -- the stored values' headers (octet_length does not read a TOASTed payload). The rest stay queued.
                select c.id from (
                    select c.id, sum(octet_length(e.payload)) over (order by c.n) - octet_length(e.payload) as before
                      from (select id, row_number() over () as n from chosen) c
                      join delivery d on d.id = c.id
                      join event e on e.id = d.event_id) c
                 where coalesce(c.before, 0) < $8
            ), paced as (
                -- The rate limit's state: the next start moves on by what was taken at the rate granted (GCRA).
                insert into delivery_pace (subscription_id, next_at)
                select v.subscription_id,
                       greatest(coalesce(pace_next(v.subscription_id), now()), now()) + sum(v.take) / min(v.rate) * interval '1 second'
                  from visit v where v.take > 0 and v.rate is not null
                 group by v.subscription_id
                    on conflict (subscription_id) do update set next_at = excluded.next_at
            ), claimed as (
                -- The chosen ids as one array, looked up by primary key: as a join, a plan cached while the queue
                -- was nearly empty scanned the whole queue once per chosen row (80 ms a claim with 15,000 queued).
                update delivery d
                   set status = 'in_flight', locked_until = now() + $3::float8 * interval '1 millisecond',
                       attempts = d.attempts + 1
                  from event e, subscription s
                 where d.id = any(array(select id from sized)) and e.id = d.event_id and s.id = d.subscription_id
                   -- An erased event is never sent. A subplan per chosen row (OFFSET 0): as "e.erased_at is null" the
                   -- plan read the whole event table before the chosen rows.
                   and not exists (select 1 from event x where x.id = d.event_id and x.erased_at is not null offset 0)
                returning d.id, d.event_id, d.subscription_id, d.org_id, d.attempts, e.type, e.payload, e.sealed, e.payload_format,
                          s.url, s.content_type, s.headers, s.failing_since,
                          array(select k.ciphertext from signing_secret k where k.subscription_id = s.id
                                  and (k.expires_at is null or k.expires_at > now()) order by k.created_at desc) as secrets
            )
            -- At least one row, claimed or not: where the next claim goes on, whether this one stopped at $5 steps
            -- with room left, and whether it passed a subscription at its bound or its rate (whose leases may be a
            -- dead instance's, or whose allowance grows back: the earliest lease's end is not asked for, that would
            -- read every lease of the last lease period, most of them finished, on each claim).
            select c.*, last.subscription_id as next_cursor, (last.n >= $5 or last.steps >= 16 * $5) and last.total < $1 as more,
                   (select bool_or(v.held) from visit v) as held
              from (select v.subscription_id, v.n, v.steps, v.total from visit v order by v.steps desc limit 1) last
              left join claimed c on true
            """;

    /**
     * The claim runs with index access only. A queue table is often near empty when it is analyzed, and
     * the statement's plan is cached per connection (a generic plan after five executions): planned for a
     * few rows, it reads the table sequentially, the in-flight count once per candidate, and with 15,000
     * queued rows each claim took 140 ms instead of 2 ms until autovacuum analyzed the table again (about
     * a minute: the benchmark's first delivery run after emptying the queue, 255 deliveries/s). Without
     * sequential and bitmap scans the same plan uses the indexes at any size. And always the generic plan,
     * the one {@code DeliveryClaimPlanTest} checks: left to choose, PostgreSQL plans the first five executions
     * on each connection for their own parameters (2-5 ms of planning a claim, more than a small claim's
     * execution) and keeps doing so whenever their estimates come out cheaper than the generic plan's. Set
     * locally, in the claim's own transaction, pipelined with it: one round trip.
     */
    static final String PLANNER_SETTINGS = "set local enable_seqscan = off; set local enable_bitmapscan = off; "
            + "set local plan_cache_mode = force_generic_plan";
    /** {@code begin} with {@link #PLANNER_SETTINGS}: the claim's, and the attempt recorder's. */
    static final String INDEX_ONLY_BEGIN = "begin; " + PLANNER_SETTINGS;

    /** Where the first claim starts: below every subscription id. */
    static final UUID START = new UUID(0, 0);

    /** What one claim leased, and where the next one goes on from. */
    record Claimed(List<ClaimedDelivery> deliveries, UUID nextCursor, boolean more, boolean held) {
    }

    /** The queue's depth (queued or in flight) and the due time of the oldest queued delivery that is due. */
    public record QueueState(long depth, Instant oldestDue) {
    }

    private final Pool pool;

    public DeliveryRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Leases up to {@code limit} due deliveries, starting after the subscription {@code cursor} (DeliveryClaim
     * says how). Native, through the reactive client, committed on its own: it needs {@code FOR UPDATE SKIP
     * LOCKED} so several instances share the queue, and it is the delivery hot path (bench/README.md,
     * "Delivery"); Hibernate Reactive's lock modes are unreliable (quarkus#40285, hibernate-reactive#1905).
     */
    Uni<Claimed> claim(int limit, int maxInFlightPerSubscription, double leaseMillis, UUID cursor, int visits,
            double paceRecoverySeconds, List<UUID> skippedOrgs, long byteBudget) {
        Tuple args = Tuple.of(limit, maxInFlightPerSubscription, leaseMillis, cursor, visits, paceRecoverySeconds)
                .addArrayOfUUID(skippedOrgs.toArray(UUID[]::new)).addLong(byteBudget);
        return pool.withConnection(connection -> PipelinedTransaction.run(connection.getDelegate(), INDEX_ONLY_BEGIN,
                        SQL, args.getDelegate()))
                .map(rows -> read(rows, cursor));
    }

    /** The org's delivery with this id, or null. */
    @WithSession
    public Uni<Delivery> findInOrg(UUID orgId, UUID id) {
        return find("id = ?1 and orgId = ?2", id, orgId).firstResult();
    }

    /** An event's deliveries in the order they were queued. */
    @WithSession
    public Uni<List<Delivery>> ofEvent(UUID eventId) {
        return list("eventId", Sort.by("createdAt").and("id"), eventId);
    }

    /**
     * Re-queues the org's delivery, due now, if it failed for good or waits for its retry, its subscription
     * is live and active and its event was not erased; in the caller's transaction. 1 when it did, 0 otherwise.
     * A conditional update, not a read and a write: a claim or a delete in between cannot be overwritten. A failed
     * delivery goes to the tail of its subscription's publish order ({@link #REQUEUE}).
     */
    public Uni<Integer> requeue(UUID orgId, UUID id) {
        return requeue(REQUEUE.formatted("d.id = :id and d.org_id = :org and d.status in ('" + Delivery.FAILED + "', '"
                + Delivery.QUEUED + "')", ""), Map.of("id", id, "org", orgId));
    }

    /**
     * Re-queues, due now, every delivery of the subscription published in [since, until) that failed for good or
     * waits for a retry after a failed attempt, of one of {@code types} when not null, whose event was not erased,
     * while the subscription is live and active; in the caller's transaction; how many. Each row once, by the
     * same conditional statement as a single retry.
     */
    public Uni<Integer> requeueFailed(UUID subscriptionId, Instant since, Instant until, List<String> types) {
        Map<String, Object> args = new HashMap<>(Map.of("subscription", subscriptionId, "since", since, "until", until));
        if (types != null) {
            if (types.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            args.put("types", types);
        }
        return requeue(REQUEUE.formatted(RECOVERABLE, types == null ? "" : " and e.type in (:types)"), args);
    }

    /** A recovery's rows: the subscription's, published in [since, until), failed for good or waiting for a retry. */
    private static final String RECOVERABLE = "d.subscription_id = :subscription and d.created_at >= :since"
            + " and d.created_at < :until and (d.status = '" + Delivery.FAILED + "' or d.status = '"
            + Delivery.QUEUED + "' and d.attempts >= 1)";

    /**
     * Where a recovery of at most {@code limit} rows has to stop: the publish time of the first recoverable row of
     * [since, until) past the first {@code limit} in publish time, or null when there are no more. Rows published
     * at that same time are left to the next part, so parts never overlap (unless more than {@code limit} rows share
     * the first publish time of the window: then that time is the cut, and the part takes just them).
     */
    public Uni<Instant> recoveryCut(UUID subscriptionId, Instant since, Instant until, List<String> types, int limit) {
        String sql = "select d.created_at from delivery d where " + RECOVERABLE
                + " and exists (select 1 from event e where e.id = d.event_id and e.erased_at is null"
                + (types == null ? "" : " and e.type in (:types)") + ")"
                + " order by d.created_at offset :limit limit 1";
        return Panache.getSession().flatMap(session -> {
            var query = session.createNativeQuery(sql, Instant.class)
                    .setParameter("subscription", subscriptionId).setParameter("since", since)
                    .setParameter("until", until).setParameter("limit", limit);
            if (types != null) {
                query.setParameter("types", types);
            }
            return query.getResultList();
        }).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /**
     * The re-queue of a retry and of a recovery; %s: which rows, and a condition on their event. Native: it draws
     * publish order numbers (nextval, no HQL form). A delivery that failed for good gets a new number, in the order
     * the rows were published, so an ordered (fifo) subscription sends it after what is pending, instead of
     * before everything published since; one waiting for its retry keeps its place. The rows are locked first
     * ({@code FOR UPDATE}), and a row a claim took meanwhile no longer matches and is left alone.
     */
    private static final String REQUEUE = """
            with picked as (
                select d.id, d.status from delivery d
                 where %s
                   and exists (select 1 from subscription s where s.id = d.subscription_id
                                 and s.deleted_at is null and s.active)
                   and exists (select 1 from event e where e.id = d.event_id and e.erased_at is null%s)
                 order by d.seq nulls first, d.created_at, d.id
                   for update of d
            ), numbered as (
                select p.id, case when p.status = 'failed' then nextval('delivery_seq') end as seq from picked p
            )
            update delivery d set status = 'queued', due_at = now(), locked_until = null, completed_at = null,
                   seq = coalesce(n.seq, d.seq)
              from numbered n
             where d.id = n.id
            """;

    private Uni<Integer> requeue(String sql, Map<String, Object> args) {
        return Panache.getSession().flatMap(session -> {
            var query = session.createNativeQuery(sql);
            args.forEach(query::setParameter);
            return query.executeUpdate();
        });
    }

    /**
     * Deletes at most {@code batch} deliveries of these events, in the caller's transaction; the count. Their ids
     * first, as many as the batch (index delivery_event, read no further): a limit in a subquery needs an order,
     * which would read and sort every delivery of the events.
     */
    public Uni<Long> deleteOfEvents(List<UUID> eventIds, int batch) {
        if (eventIds.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select id from Delivery where eventId in :events", UUID.class)
                .setParameter("events", eventIds).setMaxResults(batch).getResultList())
                .flatMap(ids -> ids.isEmpty() ? Uni.createFrom().item(0L) : delete("id in ?1", ids));
    }

    /** Whether any of these events has a delivery left. */
    @WithSession
    public Uni<Boolean> anyOfEvents(List<UUID> eventIds) {
        return eventIds.isEmpty() ? Uni.createFrom().item(false)
                : find("eventId in ?1", eventIds).firstResult().map(d -> d != null);
    }

    /**
     * The latest lease of the org's deliveries in flight now, or null when none is: until then their attempts may
     * still be recorded. Reads the in-flight rows only (their partial index delivery_in_flight).
     */
    @WithSession
    public Uni<Instant> inFlightUntil(UUID orgId) {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select max(d.lockedUntil) from Delivery d where d.status = '" + Delivery.IN_FLIGHT
                                + "' and d.orgId = ?1", Instant.class)
                .setParameter(1, orgId).getSingleResultOrNull());
    }

    /** The queue's gauges; one aggregate over the pending rows (their partial indexes). */
    @WithSession
    public Uni<QueueState> queueState() {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select count(*), min(case when d.status = '" + Delivery.QUEUED + "' and d.dueAt <= current_timestamp"
                                + " then d.dueAt end) from Delivery d where d.status in ('" + Delivery.QUEUED + "', '"
                                + Delivery.IN_FLIGHT + "')", Object[].class)
                .getSingleResult())
                .map(row -> new QueueState(((Number) row[0]).longValue(), (Instant) row[1]));
    }

    /**
     * NOTIFYs the workers when the caller's transaction commits (PostgreSQL delivers it only then, so no
     * worker wakes before the rows are visible). Native: NOTIFY has no JPA form.
     */
    public Uni<Void> wakeWorkersAtCommit() {
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("select count(*) from (select pg_notify(?1, '')) n", Long.class)
                .setParameter(1, EventRepository.CHANNEL)
                .getSingleResult()).replaceWithVoid();
    }

    private static Claimed read(RowSet<Row> rows, UUID from) {
        List<ClaimedDelivery> claimed = new ArrayList<>(rows.size());
        UUID cursor = from;
        boolean more = false;
        boolean held = false;
        for (Row r : rows) {
            cursor = r.getUUID("next_cursor");
            more = Boolean.TRUE.equals(r.getBoolean("more"));
            held = Boolean.TRUE.equals(r.getBoolean("held"));
            if (r.getUUID("id") == null) {
                continue; // the one row of a claim that leased nothing
            }
            List<byte[]> secrets = new ArrayList<>();
            Buffer[] buffers = r.getArrayOfBuffers("secrets");
            if (buffers != null) {
                for (Buffer b : buffers) {
                    secrets.add(b.getBytes());
                }
            }
            claimed.add(new ClaimedDelivery(r.getUUID("id"), r.getUUID("event_id"), r.getUUID("subscription_id"),
                    r.getUUID("org_id"), r.getInteger("attempts"), r.getString("type"), bytes(r.getBuffer("payload")),
                    r.getBoolean("sealed"), r.getString("payload_format"), r.getString("url"), r.getString("content_type"),
                    SqlRows.headers(r.getJsonObject("headers")), SqlRows.instant(r.getOffsetDateTime("failing_since")), secrets));
        }
        return new Claimed(claimed, cursor, more, held);
    }

    /** A column's bytes; null for null (an erased event's payload). */
    private static byte[] bytes(Buffer buffer) {
        return buffer == null ? null : buffer.getBytes();
    }

    /**
     * Cancels the event's deliveries that were not delivered yet (queued, or in flight: the attempt under way
     * is still recorded, but the recorder only updates rows still in flight, so it cannot bring one back), in
     * the caller's transaction; how many.
     */
    public Uni<Integer> cancelUndelivered(UUID eventId) {
        return update("status = '" + Delivery.CANCELLED + "', completedAt = current_timestamp, lockedUntil = null"
                + " where eventId = ?1 and status in ('" + Delivery.QUEUED + "', '" + Delivery.IN_FLIGHT + "')", eventId);
    }

    /**
     * A purge batch: the deliveries finished longest ago, along delivery_completed (V14). Deleted by row address
     * (ctid): the rows stay locked until the statement ends, so their addresses hold, and no index is descended
     * again per row.
     */
    private static final String PURGE = """
            delete from delivery where ctid = any(array(
                select d.ctid from delivery d
                 where d.status in ('succeeded', 'failed', 'cancelled') and d.completed_at < $1
                 order by d.completed_at limit $2
                   for update of d skip locked))
            """;

    /**
     * Deletes at most {@code batch} deliveries that finished (succeeded, failed, cancelled) before the cutoff; the
     * count. Native, through the reactive client, one statement in its own transaction: {@code FOR UPDATE SKIP
     * LOCKED} (no HQL form) lets purges on several instances take disjoint rows instead of waiting for (or
     * deadlocking with) each other, and never waits for a row a request holds.
     */
    public Uni<Integer> purgeFinishedBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> rows.rowCount());
    }

    /** How many of the subscription's deliveries are queued (held while it is paused): its pending index. */
    @WithSession
    public Uni<Long> queuedOf(UUID subscriptionId) {
        return count("subscriptionId = ?1 and status = ?2", subscriptionId, Delivery.QUEUED);
    }

    /**
     * Cancels the org's delivery if it is the blocked head of an ordered subscription: the subscription is live and
     * fifo, the delivery is its first pending one in publish order, queued, and failed at least once. In the
     * caller's transaction; 1 when it did, 0 otherwise. A conditional update: a claim that took it in between
     * (in flight now) is not overwritten.
     */
    public Uni<Integer> skipHead(UUID orgId, UUID id) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery(
                        "update Delivery d set d.status = :cancelled, d.completedAt = current_timestamp, d.lockedUntil = null"
                                + " where d.id = :id and d.orgId = :org and d.status = :queued and d.attempts >= 1"
                                + " and exists (select 1 from Subscription s where s.id = d.subscriptionId and "
                                + SubscriptionRepository.live("s") + " and s.ordering = :fifo)"
                                + " and d.seq = (select min(h.seq) from Delivery h where h.subscriptionId = d.subscriptionId"
                                + " and h.status in (:queued, :inFlight))")
                .setParameter("cancelled", Delivery.CANCELLED).setParameter("id", id).setParameter("org", orgId)
                .setParameter("queued", Delivery.QUEUED).setParameter("inFlight", Delivery.IN_FLIGHT)
                .setParameter("fifo", Subscription.FIFO)
                .executeUpdate());
    }

    /** The subscription's first pending (queued or in flight) delivery in publish order, or null: a fifo head. */
    @WithSession
    public Uni<Delivery> headOf(UUID subscriptionId) {
        return find("subscriptionId = ?1 and status in (?2, ?3) order by seq", subscriptionId, Delivery.QUEUED,
                Delivery.IN_FLIGHT).firstResult();
    }
}

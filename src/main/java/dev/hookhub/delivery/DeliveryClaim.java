package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.PipelinedTransaction;
import dev.hookhub.support.SqlRows;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * The queue claim: due queued deliveries, and in-flight ones whose lease ran out (a crashed or stopped
 * worker: at-least-once), of live and active subscriptions only, leased to this worker in one statement.
 *
 * <p>Native SQL through the Vert.x pool on purpose: it is the hot path, it needs {@code FOR UPDATE
 * SKIP LOCKED} so several instances share the queue without taking the same row, and Hibernate
 * Reactive's lock modes are unreliable (quarkus#40285, hibernate-reactive#1905). A subscription gets at
 * most {@code max-in-flight-per-subscription} live leases: its already leased rows plus its rank within
 * the batch. The statement commits on its own; the lease, not a held transaction, keeps the row ours.
 */
@ApplicationScoped
public class DeliveryClaim {

    static final String SQL = """
            with due as (
                -- Read in due order along delivery_due and stopped at the limit: the claim's cost does not
                -- grow with the backlog (a single scan of both kinds would read and sort every due row).
                -- The live-subscription check is a subquery per row that OFFSET 0 keeps from becoming a
                -- join: as a join, a plan made while the queue was nearly empty merge-joined every
                -- subscription with every due row and sorted them all, on every claim.
                select q.id, q.subscription_id, q.due_at from delivery q
                where q.status = 'queued' and q.due_at <= now()
                  and exists (select 1 from subscription s where s.id = q.subscription_id
                                and s.deleted_at is null and s.active offset 0)
                order by q.due_at
                limit $1 * 4
                for update of q skip locked
            ), expired as (
                select q.id, q.subscription_id, q.due_at from delivery q
                where q.status = 'in_flight' and q.locked_until < now()
                  and exists (select 1 from subscription s where s.id = q.subscription_id
                                and s.deleted_at is null and s.active offset 0)
                order by q.locked_until
                limit $1
                for update of q skip locked
            ), candidates as (
                select * from due union all select * from expired
            ), ranked as (
                select c.id, c.due_at,
                       row_number() over (partition by c.subscription_id order by c.due_at)
                       + (select count(*) from delivery f where f.subscription_id = c.subscription_id
                            and f.status = 'in_flight' and f.locked_until >= now()) as slot
                from candidates c
            ), chosen as (
                select id from ranked where slot <= $2 order by due_at limit $1
            )
            -- The chosen ids as one array, looked up by primary key: as a join, the same nearly-empty plan
            -- scanned the whole queue once per chosen row (80 ms a claim with 15,000 queued).
            update delivery d
               set status = 'in_flight', locked_until = now() + $3::float8 * interval '1 millisecond',
                   attempts = d.attempts + 1
              from event e, subscription s
             where d.id = any(array(select id from chosen)) and e.id = d.event_id and s.id = d.subscription_id
            returning d.id, d.event_id, d.subscription_id, d.org_id, d.attempts, e.type, e.payload, e.payload_format,
                      s.url, s.content_type, s.headers, s.failing_since,
                      array(select k.ciphertext from signing_secret k where k.subscription_id = s.id
                              and (k.expires_at is null or k.expires_at > now()) order by k.created_at desc) as secrets
            """;

    /**
     * The claim runs with index access only. A queue table is often near empty when it is analyzed, and
     * the statement's plan is cached per connection (a generic plan after five executions): planned for a
     * few rows, it reads the table sequentially, the in-flight count once per candidate, and with 15,000
     * queued rows each claim took 140 ms instead of 2 ms until autovacuum analyzed the table again (about
     * a minute: the benchmark's first delivery run after emptying the queue, 255 deliveries/s). Without
     * sequential and bitmap scans the same plan uses the indexes at any size. Set locally, in the claim's
     * own transaction, pipelined with it: one round trip.
     */
    static final String PLANNER_SETTINGS = "set local enable_seqscan = off; set local enable_bitmapscan = off";
    /** {@code begin} with {@link #PLANNER_SETTINGS}: the claim's, and the attempt recorder's. */
    static final String INDEX_ONLY_BEGIN = "begin; " + PLANNER_SETTINGS;

    private final Pool pool;
    private final HookhubConfig.Delivery config;

    public DeliveryClaim(Pool pool, HookhubConfig config) {
        this.pool = pool;
        this.config = config.delivery();
    }

    /** Leases up to {@code limit} due deliveries to the caller. */
    public Uni<List<ClaimedDelivery>> claim(int limit) {
        Tuple args = Tuple.of(limit, config.maxInFlightPerSubscription(), (double) config.lease().toMillis());
        return pool.withConnection(connection -> PipelinedTransaction.run(connection.getDelegate(), INDEX_ONLY_BEGIN,
                        SQL, args.getDelegate()))
                .map(DeliveryClaim::read);
    }

    private static List<ClaimedDelivery> read(RowSet<Row> rows) {
        List<ClaimedDelivery> claimed = new ArrayList<>(rows.size());
        for (Row r : rows) {
            List<byte[]> secrets = new ArrayList<>();
            Buffer[] buffers = r.getArrayOfBuffers("secrets");
            if (buffers != null) {
                for (Buffer b : buffers) {
                    secrets.add(b.getBytes());
                }
            }
            claimed.add(new ClaimedDelivery(r.getUUID("id"), r.getUUID("event_id"), r.getUUID("subscription_id"),
                    r.getUUID("org_id"), r.getInteger("attempts"), r.getString("type"), r.getBuffer("payload").getBytes(),
                    r.getString("payload_format"), r.getString("url"), r.getString("content_type"),
                    SqlRows.headers(r.getJsonObject("headers")), SqlRows.instant(r.getOffsetDateTime("failing_since")), secrets));
        }
        return claimed;
    }
}

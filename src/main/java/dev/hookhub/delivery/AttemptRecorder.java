package dev.hookhub.delivery;

import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Writes what an attempt came to, in one statement: the history row, the subscription's
 * lastHttpSuccess / lastHttpFail / failing run (and deactivation), the delivery's next state, and —
 * when the subscription is deactivated — the cancellation of its other queued deliveries.
 *
 * <p>The delivery row may be gone (its subscription was deleted while the attempt was in flight): the
 * history row is still written, nothing is re-queued. Only a row this worker still leases
 * ({@code in_flight}) changes. Native SQL for the same reasons as {@link DeliveryClaim}.
 */
@ApplicationScoped
public class AttemptRecorder {

    private static final String SQL = """
            with attempt as (
                insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at,
                                              status_code, status_description, duration_ms)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ), sub as (
                update subscription
                   set last_http_success = case when $10 then $6 else last_http_success end,
                       last_http_fail = case when $10 then last_http_fail else $6 end,
                       failing_since = case when $10 then null else coalesce(failing_since, $6) end,
                       active = active and not $11
                 where id = $3 and deleted_at is null
                returning id
            ), done as (
                update delivery
                   set status = $12, due_at = coalesce($13, due_at), locked_until = null,
                       completed_at = case when $12 = 'queued' then null else now() end
                 where id = $2 and status = 'in_flight'
                returning id
            ), cancelled as (
                update delivery set status = 'cancelled', completed_at = now(), locked_until = null
                 where $11 and subscription_id = $3 and status = 'queued' and id <> $2
                returning id
            )
            select (select count(*) from done) as updated, (select count(*) from cancelled) as cancelled
            """;

    /** Whether the delivery row was still ours to update, and how many queued siblings were cancelled. */
    public record Recorded(boolean updated, long cancelled) {
    }

    private final Pool pool;

    public AttemptRecorder(Pool pool) {
        this.pool = pool;
    }

    public Uni<Recorded> record(ClaimedDelivery d, AttemptOutcome outcome, RetryPolicy.Decision decision) {
        Tuple args = Tuple.from(Arrays.asList(Ids.newId(), d.id(), d.subscriptionId(), d.eventId(), d.orgId(),
                utc(outcome.attemptedAt()), outcome.statusCode(), outcome.description(),
                (int) Math.min(Integer.MAX_VALUE, outcome.durationMs()), RetryPolicy.isSuccess(outcome.statusCode()),
                decision.deactivate(), decision.status(), utc(decision.dueAt())));
        return pool.preparedQuery(SQL).execute(args).map(rows -> {
            Row r = rows.iterator().next();
            return new Recorded(r.getLong("updated") > 0, r.getLong("cancelled"));
        });
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

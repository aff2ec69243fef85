package dev.hookhub.delivery;

import dev.hookhub.negotiation.WireValue;
import dev.hookhub.support.SqlRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Reads of events, their deliveries and the attempt history, always within one org. */
@ApplicationScoped
public class DeliveryHistory {

    public record EventState(UUID id, String type, WireValue payload, String idempotencyKey, Instant createdAt,
            List<DeliveryState> deliveries) {
    }

    public record DeliveryState(UUID id, UUID subscriptionId, String status, int attempts, Instant dueAt,
            Instant createdAt, Instant completedAt) {
    }

    public record Attempt(UUID id, UUID deliveryId, UUID subscriptionId, UUID eventId, Instant attemptedAt,
            Integer statusCode, String statusDescription, int durationMs) {
    }

    /** Where the previous page ended: attempts are ordered newest first by (attemptedAt, id). */
    public record AttemptCursor(Instant attemptedAt, UUID id) {
    }

    private final Pool pool;
    private final Payloads payloads;

    public DeliveryHistory(Pool pool, Payloads payloads) {
        this.pool = pool;
        this.payloads = payloads;
    }

    /** The event with its deliveries, or null when the org has no such event. */
    public Uni<EventState> event(UUID orgId, UUID eventId) {
        return pool.preparedQuery("select id, type, payload, payload_format, idempotency_key, created_at from event"
                + " where id = $1 and org_id = $2").execute(Tuple.of(eventId, orgId))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row e = rows.iterator().next();
                    return pool.preparedQuery("select id, subscription_id, status, attempts, due_at, created_at,"
                            + " completed_at from delivery where event_id = $1 order by created_at, id")
                            .execute(Tuple.of(eventId))
                            .map(ds -> {
                                List<DeliveryState> deliveries = new ArrayList<>();
                                for (Row d : ds) {
                                    deliveries.add(deliveryState(d));
                                }
                                return new EventState(e.getUUID("id"), e.getString("type"),
                                        payloads.stored(e.getBuffer("payload").getBytes(), e.getString("payload_format")),
                                        e.getString("idempotency_key"), SqlRows.instant(e.getOffsetDateTime("created_at")),
                                        deliveries);
                            });
                });
    }

    /**
     * A page of a live subscription's attempts, newest first, after the cursor. Null when the org has
     * no such live subscription.
     */
    public Uni<List<Attempt>> attempts(UUID orgId, UUID subscriptionId, AttemptCursor after, Outcome outcome, int limit) {
        String sql = """
                select a.id, a.delivery_id, a.subscription_id, a.event_id, a.attempted_at, a.status_code,
                       a.status_description, a.duration_ms, true as live
                from delivery_attempt a
                where a.subscription_id = $1
                  and exists (select 1 from subscription s where s.id = $1 and s.org_id = $2 and s.deleted_at is null)
                  and ($3::timestamptz is null or (a.attempted_at, a.id) < ($3, $4::uuid))
                  and ($6::text is null or ($6 = 'succeeded') = coalesce(a.status_code between 200 and 299, false))
                union all
                select null, null, null, null, null, null, null, null, false
                where not exists (select 1 from subscription s where s.id = $1 and s.org_id = $2 and s.deleted_at is null)
                order by 5 desc, 1 desc
                limit $5
                """;
        Tuple args = Tuple.from(Arrays.asList(subscriptionId, orgId,
                after == null ? null : OffsetDateTime.ofInstant(after.attemptedAt(), ZoneOffset.UTC),
                after == null ? null : after.id(), limit, outcome == null ? null : outcome.name()));
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<Attempt> page = new ArrayList<>();
            for (Row r : rows) {
                if (!r.getBoolean("live")) {
                    return null;
                }
                page.add(attempt(r));
            }
            return page;
        });
    }

    /**
     * Every attempt of the org's event, oldest first (at most {@code limit}); null when the org has no
     * such event. Attempts of since-deleted subscriptions stay until the retention purge.
     */
    public Uni<List<Attempt>> eventAttempts(UUID orgId, UUID eventId, Outcome outcome, int limit) {
        return pool.preparedQuery("select 1 from event where id = $1 and org_id = $2").execute(Tuple.of(eventId, orgId))
                .flatMap(found -> found.size() == 0 ? Uni.createFrom().nullItem() : pool.preparedQuery("""
                        select id, delivery_id, subscription_id, event_id, attempted_at, status_code,
                               status_description, duration_ms
                        from delivery_attempt
                        where event_id = $1 and org_id = $2
                          and ($3::text is null or ($3 = 'succeeded') = coalesce(status_code between 200 and 299, false))
                        order by attempted_at, id
                        limit $4
                        """).execute(Tuple.of(eventId, orgId, outcome == null ? null : outcome.name(), limit))
                        .map(rows -> {
                            List<Attempt> attempts = new ArrayList<>();
                            rows.forEach(r -> attempts.add(attempt(r)));
                            return attempts;
                        }));
    }

    /** An attempt's outcome: a 2xx answer, or anything else (another status, no answer). */
    public enum Outcome { succeeded, failed }

    private static Attempt attempt(Row r) {
        return new Attempt(r.getUUID("id"), r.getUUID("delivery_id"), r.getUUID("subscription_id"),
                r.getUUID("event_id"), SqlRows.instant(r.getOffsetDateTime("attempted_at")), r.getInteger("status_code"),
                r.getString("status_description"), r.getInteger("duration_ms"));
    }

    static DeliveryState deliveryState(Row d) {
        return new DeliveryState(d.getUUID("id"), d.getUUID("subscription_id"), d.getString("status"),
                d.getInteger("attempts"), SqlRows.instant(d.getOffsetDateTime("due_at")),
                SqlRows.instant(d.getOffsetDateTime("created_at")), SqlRows.instant(d.getOffsetDateTime("completed_at")));
    }
}

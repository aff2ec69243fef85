package dev.hookhub.delivery;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Hourly success and latency figures of the attempt history, for an org or one of its subscriptions. */
@ApplicationScoped
public class AttemptStats {

    /** One hour: attempts started in [start, start + 1h); durations null when there were none. */
    public record Bucket(Instant start, int attempts, int succeeded, int failed, Integer avgDurationMs,
            Integer p95DurationMs, Integer maxDurationMs) {
    }

    private final Pool pool;

    public AttemptStats(Pool pool) {
        this.pool = pool;
    }

    /**
     * The last {@code hours} hourly buckets, oldest first, the current (partial) hour last; every hour
     * present, empty ones with zeros. With a subscription id, null when the org has no such live one.
     */
    public Uni<List<Bucket>> hourly(UUID orgId, UUID subscriptionId, int hours) {
        Instant currentHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant from = currentHour.minus(hours - 1L, ChronoUnit.HOURS);
        Uni<Boolean> inScope = subscriptionId == null ? Uni.createFrom().item(true)
                : pool.preparedQuery("select 1 from subscription where id = $1 and org_id = $2 and deleted_at is null")
                        .execute(Tuple.of(subscriptionId, orgId)).map(rows -> rows.size() > 0);
        return inScope.flatMap(ok -> !ok ? Uni.createFrom().nullItem() : pool.preparedQuery("""
                select date_trunc('hour', attempted_at) as hour, count(*) as attempts,
                       count(*) filter (where status_code between 200 and 299) as succeeded,
                       round(avg(duration_ms))::int as avg_ms,
                       round(percentile_cont(0.95) within group (order by duration_ms))::int as p95_ms,
                       max(duration_ms) as max_ms
                from delivery_attempt
                where org_id = $1 and attempted_at >= $2 and ($3::uuid is null or subscription_id = $3)
                group by 1
                """).execute(Tuple.from(Arrays.asList(orgId, from.atOffset(java.time.ZoneOffset.UTC), subscriptionId)))
                .map(rows -> {
                    Map<Instant, Row> byHour = new HashMap<>();
                    rows.forEach(r -> byHour.put(r.getOffsetDateTime("hour").toInstant(), r));
                    List<Bucket> buckets = new ArrayList<>(hours);
                    for (int i = 0; i < hours; i++) {
                        Instant start = from.plus(i, ChronoUnit.HOURS);
                        Row r = byHour.get(start);
                        if (r == null) {
                            buckets.add(new Bucket(start, 0, 0, 0, null, null, null));
                        } else {
                            int attempts = r.getLong("attempts").intValue();
                            int succeeded = r.getLong("succeeded").intValue();
                            buckets.add(new Bucket(start, attempts, succeeded, attempts - succeeded,
                                    r.getInteger("avg_ms"), r.getInteger("p95_ms"), r.getInteger("max_ms")));
                        }
                    }
                    return buckets;
                }));
    }
}

package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.delivery.AttemptStats;
import dev.hookhub.negotiation.WireFormat;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** GET /v1/stats/attempts: hourly success rate and latency of the org's (or one subscription's) attempts. */
@Path("/v1/stats/attempts")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class StatsResource {

    static final int MAX_HOURS = 168;

    private final V1Access access;
    private final AttemptStats stats;

    public StatsResource(V1Access access, AttemptStats stats) {
        this.access = access;
        this.stats = stats;
    }

    @Access(Access.Who.READER)
    @GET
    public Uni<V1Dtos.AttemptStatsView> attempts(@QueryParam("subscriptionId") String subscriptionId,
            @QueryParam("hours") String hours) {
        UUID subscription = subscriptionId == null || subscriptionId.isEmpty() ? null
                : V1Access.id("subscriptionId", subscriptionId);
        int window = V1Paging.boundedInt("hours", hours, 24, MAX_HOURS);
        return access.reader()
                .flatMap(caller -> stats.hourly(caller.orgId(), subscription, window))
                .onItem().ifNull().failWith(() -> SubscriptionResource.notFound(subscription))
                .map(buckets -> view(subscription, window, buckets));
    }

    private static V1Dtos.AttemptStatsView view(UUID subscription, int hours, List<AttemptStats.Bucket> buckets) {
        int attempts = 0;
        int succeeded = 0;
        for (AttemptStats.Bucket b : buckets) {
            attempts += b.attempts();
            succeeded += b.succeeded();
        }
        return new V1Dtos.AttemptStatsView(subscription, hours, buckets.get(0).start(),
                buckets.get(buckets.size() - 1).start().plus(1, ChronoUnit.HOURS), attempts, succeeded,
                attempts - succeeded, rate(succeeded, attempts),
                buckets.stream().map(b -> new V1Dtos.AttemptBucket(b.start(), b.attempts(), b.succeeded(), b.failed(),
                        rate(b.succeeded(), b.attempts()), b.avgDurationMs(), b.p95DurationMs(), b.maxDurationMs()))
                        .toList());
    }

    private static Double rate(int succeeded, int attempts) {
        return attempts == 0 ? null : (double) succeeded / attempts;
    }
}

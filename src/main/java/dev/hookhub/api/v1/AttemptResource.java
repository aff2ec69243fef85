package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.HookhubConfig;
import dev.hookhub.delivery.DeliveryHistory;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.support.Ids;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.UUID;

/** GET /v1/subscriptions/{id}/attempts: a subscription's delivery history, newest first, cursor paged, by outcome. */
@Path("/v1/subscriptions/{id}/attempts")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class AttemptResource {

    private final V1Access access;
    private final DeliveryHistory history;
    private final HookhubConfig config;

    public AttemptResource(V1Access access, DeliveryHistory history, HookhubConfig config) {
        this.access = access;
        this.history = history;
        this.config = config;
    }

    @Access(Access.Who.READER)
    @GET
    public Uni<V1Dtos.AttemptPage> list(@PathParam("id") String id, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor, @QueryParam("outcome") String outcome) {
        UUID subscriptionId = V1Access.id("id", id);
        int pageSize = V1Paging.pageSize(limit, config);
        DeliveryHistory.AttemptCursor after = V1Paging.decodeCursor(cursor, AttemptResource::parseCursor);
        DeliveryHistory.Outcome wanted = outcome(outcome);
        return access.reader()
                .flatMap(caller -> history.attempts(caller.orgId(), subscriptionId, after, wanted, pageSize + 1))
                .onItem().ifNull().failWith(() -> SubscriptionResource.notFound(subscriptionId))
                .map(rows -> {
                    V1Paging.Slice<DeliveryHistory.Attempt> page = V1Paging.slice(rows, pageSize,
                            last -> last.attemptedAt() + "|" + last.id());
                    return new V1Dtos.AttemptPage(page.map(V1Mapper::view), page.nextCursor());
                });
    }

    /** The {@code outcome} filter: absent (all), {@code succeeded} (a 2xx) or {@code failed}; else 400. */
    static DeliveryHistory.Outcome outcome(String outcome) {
        if (outcome == null || outcome.isEmpty()) {
            return null;
        }
        for (DeliveryHistory.Outcome o : DeliveryHistory.Outcome.values()) {
            if (o.name().equals(outcome)) {
                return o;
            }
        }
        throw ProblemException.badRequest("Query parameter 'outcome' must be 'succeeded' or 'failed', got '" + outcome + "'");
    }

    private static DeliveryHistory.AttemptCursor parseCursor(String text) {
        int bar = text.indexOf('|');
        return new DeliveryHistory.AttemptCursor(Instant.parse(text.substring(0, bar)),
                Ids.parse(text.substring(bar + 1)).orElseThrow());
    }
}

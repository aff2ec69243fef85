package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.delivery.RetentionPurge;
import dev.hookhub.negotiation.WireFormat;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * /v1/admin/retention: the operator (admin token) runs the retention purge now and reads what it removed
 * (README, "Retention"). Beside {@link AdminResource}, whose routes are all under /v1/admin/orgs.
 */
@Path("/v1/admin/retention")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class RetentionResource {

    /** The rows one purge removed, per table. */
    @RegisterForReflection
    public record Removed(long events, long deliveries, long attempts, long tombstones, long auditRecords) {
    }

    /** The answer of a purge: what it removed and how long it took. */
    @RegisterForReflection
    public record PurgeView(Removed removed, long elapsedMs) {
    }

    private final RetentionPurge purge;

    public RetentionResource(RetentionPurge purge) {
        this.purge = purge;
    }

    /**
     * Purges every table now, as the scheduled purge does, and answers 200 when it has finished. 409 while
     * another purge runs in this instance (the scheduled one, or another request's): one at a time. Any body
     * is ignored.
     */
    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/purge")
    @Consumes(MediaType.WILDCARD)
    public Uni<PurgeView> purge() {
        return purge.purge()
                .invoke(p -> RetentionPurge.log("Retention purge (POST /v1/admin/retention/purge)", p))
                .map(p -> new PurgeView(new Removed(p.events(), p.deliveries(), p.attempts(), p.tombstones(),
                        p.auditRecords()), p.elapsedMs()));
    }
}

package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.delivery.ManualDeliveries;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

/** POST /v1/deliveries/{id}/retry: "retry now" — a failed or waiting delivery is queued again, due now. */
@Path("/v1/deliveries")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class DeliveryResource {

    private final V1Access access;
    private final ManualDeliveries manual;

    public DeliveryResource(V1Access access, ManualDeliveries manual) {
        this.access = access;
        this.manual = manual;
    }

    /** Any body is ignored, so a bare POST works. 404 for another org's delivery or a deleted subscription's. */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/retry")
    public Uni<V1Dtos.DeliveryView> retry(@PathParam("id") String id) {
        UUID deliveryId = V1Access.id("id", id);
        return access.writer()
                .flatMap(caller -> manual.retry(caller.orgId(), deliveryId))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No delivery " + deliveryId))
                .map(V1Mapper::view);
    }
}

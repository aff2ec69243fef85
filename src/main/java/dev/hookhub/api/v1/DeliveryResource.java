package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.delivery.DeliveryControl;
import dev.hookhub.delivery.ManualDeliveries;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

/**
 * POST /v1/deliveries/{id}/retry: "retry now" — a failed or waiting delivery is queued again, due now.
 * POST /v1/deliveries/{id}/skip: the failed head that blocks an ordered subscription is cancelled.
 */
@Path("/v1/deliveries")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class DeliveryResource {

    private final V1Access access;
    private final ManualDeliveries manual;
    private final DeliveryControl control;

    public DeliveryResource(V1Access access, ManualDeliveries manual, DeliveryControl control) {
        this.access = access;
        this.manual = manual;
        this.control = control;
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

    /**
     * Skips the blocked head of an ordered (fifo) subscription: 200 with the delivery, now {@code cancelled}. 409
     * saying why for any other delivery; 404 for another org's, a deleted subscription's or an unknown one. Any
     * body is ignored.
     */
    @Access(Access.Who.WRITER)
    @POST
    @Path("/{id}/skip")
    public Uni<V1Dtos.DeliveryView> skip(@PathParam("id") String id, @Context HttpServerRequest http) {
        UUID deliveryId = V1Access.id("id", id);
        return access.writer()
                .flatMap(caller -> control.skip(caller.orgId(), deliveryId, V1Access.requester(caller, http)))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No delivery " + deliveryId))
                .map(V1Mapper::view);
    }
}

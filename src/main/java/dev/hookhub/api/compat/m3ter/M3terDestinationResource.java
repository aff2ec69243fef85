package dev.hookhub.api.compat.m3ter;

import dev.hookhub.api.Access;
import dev.hookhub.api.RefusedCredential;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Callers;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

/**
 * m3ter's "Delete Webhook Destination" (API.md §6): a bearer token of the org in the path deletes a
 * destination and gets it back as it was. Errors are problem details: 400 for a non-UUID id, 401 without
 * a valid token, 403 for another org's token or a Viewer, 404 for an unknown (or already deleted) id.
 */
@Path("/organizations/{orgId}/integrationdestinations/webhooks")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class M3terDestinationResource {

    static final String SURFACE = "m3ter";

    private final Callers callers;
    private final SubscriptionDeletion deletion;
    private final M3terMapper mapper;

    public M3terDestinationResource(Callers callers, SubscriptionDeletion deletion, M3terMapper mapper) {
        this.callers = callers;
        this.deletion = deletion;
        this.mapper = mapper;
    }

    @Access(Access.Who.DIALECT_TOKEN)
    @DELETE
    @Path("/{id}")
    public Uni<M3terDtos.WebhookDestination> delete(@PathParam("orgId") String orgId, @PathParam("id") String id,
            @Context HttpServerRequest http) {
        UUID org = Ids.parse(orgId).orElseThrow(() -> ProblemException.notAUuid("orgId", orgId));
        UUID destination = Ids.parse(id).orElseThrow(() -> ProblemException.notAUuid("id", id));
        return callers.bearer()
                .onFailure(Callers.Refused.class).transform(e -> RefusedCredential.problem((Callers.Refused) e))
                .invoke(caller -> {
                    if (!caller.orgId().equals(org)) {
                        throw ProblemException.forbidden("The bearer token is not for organization " + org);
                    }
                    if (!caller.canWrite()) {
                        throw ProblemException.forbidden("Role Admin or Dispatcher is required to delete a destination");
                    }
                })
                .flatMap(caller -> deletion.delete(DeletionRequest.of(new DeletionScope.ById(org, destination),
                        caller.actor(), SURFACE, ClientAddress.of(http))))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No webhook destination " + destination))
                .map(mapper::destination);
    }
}

package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.tenancy.Tenancy;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

/** /v1/orgs/{orgId}: a caller reads its own org; any other org in the path is 403. */
@Path("/v1/orgs")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class OrgResource {

    private final V1Access access;
    private final Tenancy tenancy;

    public OrgResource(V1Access access, Tenancy tenancy) {
        this.access = access;
        this.tenancy = tenancy;
    }

    @Access(Access.Who.READER)
    @GET
    @Path("/{orgId}")
    public Uni<V1Dtos.OrgView> get(@PathParam("orgId") String orgId) {
        UUID id = V1Access.id("orgId", orgId);
        return access.reader()
                .invoke(caller -> {
                    if (!caller.orgId().equals(id)) {
                        throw ProblemException.forbidden("The token's org is not " + id);
                    }
                })
                .flatMap(caller -> tenancy.findOrg(id))
                .map(AdminResource::view);
    }
}

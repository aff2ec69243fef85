package dev.hookhub.api.v1;

import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.tenancy.Role;
import dev.hookhub.tenancy.Tenancy;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** /v1/admin: the operator (admin token) creates orgs, API clients and API keys. */
@Path("/v1/admin/orgs")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
@Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class AdminResource {

    private final dev.hookhub.tenancy.Callers callers;
    private final Tenancy tenancy;

    public AdminResource(dev.hookhub.tenancy.Callers callers, Tenancy tenancy) {
        this.callers = callers;
        this.tenancy = tenancy;
    }

    @POST
    public Uni<RestResponse<V1Dtos.OrgView>> createOrg(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Valid @NotNull V1Dtos.OrgCreate body) {
        callers.requireAdmin(authorization);
        String name = body.name().strip();
        if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.invalidField("name", "must be 1 to 200 printable characters");
        }
        return tenancy.createOrg(name).map(org -> RestResponse.ResponseBuilder
                .<V1Dtos.OrgView>created(URI.create("/v1/orgs/" + org.id))
                .entity(new V1Dtos.OrgView(org.id, org.number, org.name, org.createdAt))
                .build());
    }

    @POST
    @Path("/{orgId}/clients")
    public Uni<RestResponse<V1Dtos.ClientView>> createClient(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("orgId") String orgId, @Valid V1Dtos.CredentialCreate body) {
        callers.requireAdmin(authorization);
        UUID org = V1Access.id("orgId", orgId);
        Set<Role> roles = roles(body);
        return tenancy.createClient(org, body == null ? null : body.name(), roles)
                .map(c -> RestResponse.status(RestResponse.Status.CREATED, new V1Dtos.ClientView(c.id(), c.orgId(),
                        c.publicId(), c.secret(), c.name(), Tenancy.roleNames(c.roles()), c.createdAt())));
    }

    @POST
    @Path("/{orgId}/api-keys")
    public Uni<RestResponse<V1Dtos.ApiKeyView>> createApiKey(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("orgId") String orgId, @Valid V1Dtos.CredentialCreate body) {
        callers.requireAdmin(authorization);
        UUID org = V1Access.id("orgId", orgId);
        Set<Role> roles = roles(body);
        return tenancy.createApiKey(org, body == null ? null : body.name(), roles)
                .map(k -> RestResponse.status(RestResponse.Status.CREATED, new V1Dtos.ApiKeyView(k.id(), k.orgId(),
                        k.secret(), k.publicId(), k.name(), Tenancy.roleNames(k.roles()), k.createdAt())));
    }

    /** Roles default to Admin; unknown names are refused rather than dropped. */
    private static Set<Role> roles(V1Dtos.CredentialCreate body) {
        List<String> names = body == null || body.roles() == null ? List.of(Role.Admin.name()) : body.roles();
        if (names.isEmpty()) {
            throw ProblemException.invalidField("roles", "must name at least one of Admin, Dispatcher, Viewer");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names) {
            roles.add(Role.parse(name).orElseThrow(() -> ProblemException.invalidField("roles",
                    "'" + name + "' is not one of Admin, Dispatcher, Viewer")));
        }
        return roles;
    }
}

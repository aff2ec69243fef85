package dev.hookhub.api.compat.cro;

import dev.hookhub.api.Access;
import dev.hookhub.api.RefusedCredential;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireCodecs;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Callers;
import dev.hookhub.tenancy.Tenancy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * CRO's Delete Hook: deactivates (soft-deletes, through the one delete core) the subscription whose
 * {@code number} is {@code hook_id}, for a bearer token of the tenant named in {@code x-tenant-id}.
 * CRO's header grammar is {@link CroDeleteRequest}'s. Errors are problem details in the negotiated format;
 * {@link CroHeaders} adds CRO's headers.
 */
@Path("/hooks")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class CroHookResource {

    static final String SURFACE = "cro";

    private final Callers callers;
    private final Tenancy tenancy;
    private final SubscriptionDeletion deletion;
    private final WireCodecs codecs;
    private final int maxAuthorizationLength;

    public CroHookResource(Callers callers, Tenancy tenancy, SubscriptionDeletion deletion, WireCodecs codecs,
            CroConfig config) {
        this.callers = callers;
        this.tenancy = tenancy;
        this.deletion = deletion;
        this.codecs = codecs;
        this.maxAuthorizationLength = config.maxAuthorizationLength();
    }

    @Access(Access.Who.DIALECT_TOKEN)
    @DELETE
    @Path("/{hook_id}")
    public Uni<CroDtos.Webhook> delete(@PathParam("hook_id") String hookId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam("x-tenant-id") String tenantId,
            @HeaderParam(CroHeaders.API_VERSION) String apiVersion,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body,
            @Context HttpServerRequest http) {
        CroDeleteRequest request = CroDeleteRequest.parse(hookId, authorization, tenantId, apiVersion, contentType,
                body, maxAuthorizationLength, codecs);
        return callers.bearer()
                .onFailure(Callers.Refused.class).transform(e -> RefusedCredential.problem((Callers.Refused) e))
                .call(caller -> tenancy.orgNumber(caller.orgId()).invoke(orgNumber -> {
                    if (orgNumber == null || orgNumber != request.tenant()) {
                        throw ProblemException.forbidden("The token is not valid for tenant " + request.tenant());
                    }
                }))
                .invoke(CroHookResource::requireWriter)
                .flatMap(caller -> deletion.delete(DeletionRequest.of(
                        new DeletionScope.ByNumber(caller.orgId(), request.hook()), caller.actor(), SURFACE,
                        ClientAddress.of(http))))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No hook " + request.hook()))
                .map(CroMapper::webhook);
    }

    /** The CORS preflight: no credentials, CRO's headers only. */
    @Access(Access.Who.PUBLIC)
    @OPTIONS
    @Path("/{hook_id}")
    public RestResponse<Void> preflight() {
        return RestResponse.noContent();
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw ProblemException.forbidden("Role Admin or Dispatcher is required to delete a hook");
        }
    }
}

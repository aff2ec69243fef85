package dev.hookhub.api.compat.himarley;

import dev.hookhub.api.Access;
import dev.hookhub.api.RefusedCredential;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.DeletedSubscription;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Digests;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Callers;
import dev.hookhub.tenancy.Tenancy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

/**
 * Hi Marley's "Unregister Webhook" (API.md §6): the org's x-api-key removes one of its subscriptions
 * and gets the registration back, in one statement that checks the key too. Errors are problem details:
 * 400 for a non-UUID id, 401 for a missing or wrong key, 403 for a Viewer key, 404 when the id is not
 * registered to the key's org.
 */
@Path("/webhooks/unregister")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class HiMarleyUnregisterResource {

    static final String SURFACE = "himarley";

    private final Callers callers;
    private final SubscriptionDeletion deletion;

    public HiMarleyUnregisterResource(Callers callers, SubscriptionDeletion deletion) {
        this.callers = callers;
        this.deletion = deletion;
    }

    @Access(Access.Who.API_KEY)
    @DELETE
    @Path("/{subscriptionId}")
    public Uni<HiMarleyDtos.Unregistered> unregister(@PathParam("subscriptionId") String subscriptionId,
            @HeaderParam("x-api-key") String apiKey, @Context HttpServerRequest http) {
        UUID id = Ids.parse(subscriptionId).orElseThrow(() -> ProblemException.notAUuid("subscriptionId", subscriptionId));
        String key = Callers.presentedKey(apiKey);
        Uni<DeletedSubscription> deleted = key == null ? Uni.createFrom().nullItem()
                : deletion.delete(DeletionRequest.of(new DeletionScope.ByWriterKey(Digests.sha256(key), id),
                        Tenancy.apiKeyActor(Tenancy.keyPrefix(key)), SURFACE, ClientAddress.of(http)));
        return deleted.onItem().ifNull().switchTo(() -> refusal(apiKey, id)).map(HiMarleyMapper::unregistered);
    }

    /**
     * Why nothing was deleted, asked only then (the delete checked the key itself): a missing or unknown
     * key is 401, a key without a writing role 403, and otherwise the id is not the key's org's.
     */
    private Uni<DeletedSubscription> refusal(String apiKey, UUID id) {
        return callers.apiKey(apiKey)
                .onFailure(Callers.Refused.class).transform(e -> RefusedCredential.problem((Callers.Refused) e))
                .map(caller -> {
                    if (!caller.canWrite()) {
                        throw ProblemException.forbidden("The x-api-key needs role Admin or Dispatcher to unregister a webhook");
                    }
                    throw ProblemException.notFound("Subscription " + id + " is not registered to your organization");
                });
    }
}

package dev.hookhub.api.v1;

import dev.hookhub.api.AccessFilter;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Requester;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * The caller a /v1 route was admitted with: its {@code @Access(READER)}, {@code @Access(WRITER)} or {@code @Access(ADMIN)}
 * declaration had {@link AccessFilter} verify the bearer token and its role (401, 403) before the body was read.
 */
@ApplicationScoped
class V1Access {

    private final CurrentVertxRequest request;

    V1Access(CurrentVertxRequest request) {
        this.request = request;
    }

    Uni<Caller> reader() {
        return Uni.createFrom().item(admitted());
    }

    Uni<Caller> writer() {
        Caller caller = admitted();
        if (!caller.canWrite()) {
            throw ProblemException.forbidden("Role Admin or Dispatcher is required to change subscriptions");
        }
        return Uni.createFrom().item(caller);
    }

    /** The caller of an {@code @Access(ADMIN)} route (AccessFilter checked the role). */
    Uni<Caller> admin() {
        Caller caller = admitted();
        if (!caller.isAdmin()) {
            throw ProblemException.forbidden("Role Admin is required to read the audit trail");
        }
        return Uni.createFrom().item(caller);
    }

    /** Who a /v1 change is audited as: the caller's actor, surface {@code v1}, the peer's address. */
    static Requester requester(Caller caller, HttpServerRequest http) {
        return new Requester(caller.actor(), SubscriptionResource.SURFACE, ClientAddress.of(http));
    }

    private Caller admitted() {
        Caller caller = AccessFilter.caller(request.getCurrent());
        if (caller == null) {
            throw new IllegalStateException("A /v1 route that reads its caller must be declared @Access(READER) or @Access(WRITER)");
        }
        return caller;
    }

    static UUID id(String name, String value) {
        return Ids.parse(value).orElseThrow(() -> ProblemException.notAUuid(name, value));
    }
}

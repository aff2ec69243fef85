package dev.hookhub.api.v1;

import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Bearer-token access to /v1: 401 without a valid token, 403 for a Viewer that tries to change. */
@ApplicationScoped
class V1Access {

    private final Callers callers;

    V1Access(Callers callers) {
        this.callers = callers;
    }

    Uni<Caller> reader() {
        return callers.bearer()
                .onFailure(Callers.Refused.class).transform(e -> ((Callers.Refused) e).asProblem())
                .invoke(caller -> {
                    if (!caller.canRead()) {
                        throw ProblemException.forbidden("The token carries no hookhub role (Admin, Dispatcher or Viewer)");
                    }
                });
    }

    Uni<Caller> writer() {
        return reader().invoke(caller -> {
            if (!caller.canWrite()) {
                throw ProblemException.forbidden("Role Admin or Dispatcher is required to change subscriptions");
            }
        });
    }

    static UUID id(String name, String value) {
        return Ids.parse(value).orElseThrow(() -> ProblemException.notAUuid(name, value));
    }
}

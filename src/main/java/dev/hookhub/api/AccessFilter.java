package dev.hookhub.api;

import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.tenancy.Caller;
import dev.hookhub.tenancy.Callers;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces each route's {@link Access} declaration after the route is matched and before its body is read:
 * the operator token, and for /v1 the bearer token and its role, whose caller the route then takes with
 * {@link #caller}. Credentials a dialect checks itself (in its vendor's order and error shape) pass through.
 * A route with no declaration is refused to everyone.
 */
public class AccessFilter {

    /** Routing-context key of the caller that a READER or WRITER route was admitted with. */
    private static final String CALLER = "hookhub.caller";

    private final Callers callers;
    private final Map<Method, Access.Who> declared = new ConcurrentHashMap<>();

    public AccessFilter(Callers callers) {
        this.callers = callers;
    }

    @ServerRequestFilter
    public Uni<Void> admit(ContainerRequestContext request, ResourceInfo resource, RoutingContext context) {
        Method method = resource.getResourceMethod();
        if (method == null) {
            return Uni.createFrom().voidItem();
        }
        Access.Who who = declared.computeIfAbsent(method, AccessFilter::declaration);
        return switch (who) {
            case OPERATOR -> {
                try {
                    callers.requireAdmin(request.getHeaderString(HttpHeaders.AUTHORIZATION));
                } catch (Callers.Refused e) {
                    throw RefusedCredential.problem(e);
                }
                yield Uni.createFrom().voidItem();
            }
            case READER, WRITER, ADMIN -> callers.bearer()
                    .onFailure(Callers.Refused.class).transform(e -> RefusedCredential.problem((Callers.Refused) e))
                    .invoke(caller -> {
                        if (!caller.canRead()) {
                            throw ProblemException.forbidden("The token carries no hookhub role (Admin, Dispatcher or Viewer)");
                        }
                        if (who == Access.Who.WRITER && !caller.canWrite()) {
                            throw ProblemException.forbidden("Role Admin or Dispatcher is required to change subscriptions");
                        }
                        if (who == Access.Who.ADMIN && !caller.isAdmin()) {
                            throw ProblemException.forbidden("Role Admin is required to read the audit trail");
                        }
                        context.put(CALLER, caller);
                    })
                    .replaceWithVoid();
            case PUBLIC, DIALECT_TOKEN, API_KEY, SUBSCRIPTION_SECRET -> Uni.createFrom().voidItem();
        };
    }

    /** The caller this request was admitted with (a READER, WRITER or ADMIN route); null on any other route. */
    public static Caller caller(RoutingContext context) {
        return context == null ? null : context.get(CALLER);
    }

    private static Access.Who declaration(Method method) {
        Access access = method.getAnnotation(Access.class);
        if (access == null) {
            access = method.getDeclaringClass().getAnnotation(Access.class);
        }
        if (access == null) {
            throw ProblemException.forbidden("This route declares no access rule (" + method.getDeclaringClass().getSimpleName()
                    + "." + method.getName() + "), so nobody may call it");
        }
        return access.value();
    }
}

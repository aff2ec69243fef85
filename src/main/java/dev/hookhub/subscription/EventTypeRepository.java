package dev.hookhub.subscription;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * An org's event types: each gets its number on first use, whether a subscription or an event names it
 * (publishing registers its type inside EventRepository's statement).
 */
@ApplicationScoped
public class EventTypeRepository implements PanacheRepositoryBase<EventType, EventType.Key> {

    /**
     * Registers the names not yet known, inside the caller's transaction. Native: {@code on conflict do
     * nothing} is the only insert-if-absent that a concurrent registration of the same name cannot fail
     * (a find-then-persist would abort the caller's transaction with a unique violation).
     */
    public Uni<Void> register(UUID orgId, List<String> names) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String name : names) {
            chain = chain.flatMap(v -> Panache.getSession().flatMap(session -> session
                    .createNativeQuery("insert into event_type (org_id, name) values (?1, ?2) on conflict do nothing")
                    .setParameter(1, orgId).setParameter(2, name)
                    .executeUpdate()).replaceWithVoid());
        }
        return chain;
    }

    /** Deletes at most {@code batch} of the org's event types, in the caller's transaction; the count. */
    public Uni<Integer> deleteOfOrg(UUID orgId, int batch) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery(
                        "delete from EventType where orgId = :org and name in (select t.name from EventType t"
                                + " where t.orgId = :org order by t.name limit :batch)")
                .setParameter("org", orgId).setParameter("batch", batch).executeUpdate());
    }

    /** Whether the org has any event type (offboarding's last check). */
    @WithSession
    public Uni<Boolean> anyOfOrg(UUID orgId) {
        return find("orgId", orgId).firstResult().map(t -> t != null);
    }

    /** The org's event types in number (registration) order. */
    @WithSession
    public Uni<List<EventType>> ofOrg(UUID orgId) {
        return list("orgId = ?1 order by number", orgId);
    }
}

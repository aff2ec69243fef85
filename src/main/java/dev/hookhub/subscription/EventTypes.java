package dev.hookhub.subscription;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/** An org's event types: each gets its number on first use, whether a subscription or an event names it. */
@ApplicationScoped
public class EventTypes {

    /** Registers the names not yet known, inside the caller's transaction. */
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
}

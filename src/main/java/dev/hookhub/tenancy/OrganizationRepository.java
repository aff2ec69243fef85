package dev.hookhub.tenancy;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/** Every query of the organization table. */
@ApplicationScoped
public class OrganizationRepository implements PanacheRepositoryBase<Organization, UUID> {

    /** Orgs in number order after the given number (exclusive; null from the start), at most {@code limit}. */
    @WithSession
    public Uni<List<Organization>> page(Integer afterNumber, int limit) {
        return find("number > ?1 order by number", afterNumber == null ? 0 : afterNumber).page(0, limit).list();
    }

    /** The org with this number (CRO's x-tenant-id, an operator token's subject), or null. */
    @WithSession
    public Uni<Organization> withNumber(int number) {
        return find("number", number).firstResult();
    }
}

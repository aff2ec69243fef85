package dev.hookhub.offboarding;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Every query of the org_offboarding table. A batch adds its counts and renews the lease in its own
 * transaction, and only while this instance holds the lease of a running offboarding: a batch of an instance
 * whose lease was taken over rolls back.
 */
@ApplicationScoped
public class OffboardingRepository implements PanacheRepositoryBase<Offboarding, UUID> {

    /** Held by {@code owner} and running. */
    private static final String HELD = "orgId = :org and leaseOwner = :owner and status = '" + Offboarding.RUNNING + "'";

    /**
     * {@link #progress}'s statement for the delete core's batch, which runs on the reactive client: in the same
     * transaction, hence native on the same connection.
     */
    private static final String CORE_PROGRESS = """
            update org_offboarding
               set subscriptions = subscriptions + $3, deliveries_cancelled = deliveries_cancelled + $4,
                   attempts_settle_at = greatest(attempts_settle_at, $5), step = $6, lease_until = $7
             where org_id = $1 and lease_owner = $2 and status = 'running'
            """;

    /** The org's offboarding, running or completed; null when it was never asked for. */
    @WithSession
    public Uni<Offboarding> find(UUID orgId) {
        return findById(orgId);
    }

    /**
     * Adds a batch's counts, records the step and renews the lease, in the caller's transaction. False when this
     * instance no longer holds the lease (the caller must roll back).
     */
    public Uni<Boolean> progress(UUID orgId, String owner, OffboardingStep step, Removed batch, Instant leaseUntil) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery("update Offboarding set "
                        + "subscriptions = subscriptions + :subscriptions, deliveriesCancelled = deliveriesCancelled + :cancelled, "
                        + "deliveries = deliveries + :deliveries, events = events + :events, attempts = attempts + :attempts, "
                        + "tombstones = tombstones + :tombstones, clients = clients + :clients, apiKeys = apiKeys + :apiKeys, "
                        + "eventTypes = eventTypes + :eventTypes, step = :step, leaseUntil = :leaseUntil where " + HELD)
                .setParameter("subscriptions", batch.subscriptions()).setParameter("cancelled", batch.deliveriesCancelled())
                .setParameter("deliveries", batch.deliveries()).setParameter("events", batch.events())
                .setParameter("attempts", batch.attempts()).setParameter("tombstones", batch.tombstones())
                .setParameter("clients", batch.clients()).setParameter("apiKeys", batch.apiKeys())
                .setParameter("eventTypes", batch.eventTypes()).setParameter("step", step.name())
                .setParameter("leaseUntil", leaseUntil).setParameter("org", orgId).setParameter("owner", owner)
                .executeUpdate())
                .map(changed -> changed == 1);
    }

    /**
     * {@link #progress} of a delete-core batch, in its transaction on {@code transaction}: the subscriptions
     * deleted, the deliveries they dropped, and until when attempts of the deliveries that were in flight may
     * still be recorded (kept when later).
     */
    public Uni<Boolean> progress(SqlClient transaction, UUID orgId, String owner, long subscriptions,
            long deliveriesCancelled, Instant attemptsSettleAt, Instant leaseUntil) {
        return transaction.preparedQuery(CORE_PROGRESS).execute(Tuple.from(Arrays.asList(orgId, owner, subscriptions,
                        deliveriesCancelled, attemptsSettleAt == null ? null : attemptsSettleAt.atOffset(ZoneOffset.UTC),
                        OffboardingStep.subscriptions.name(), leaseUntil.atOffset(ZoneOffset.UTC))))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Marks the offboarding completed and lets its lease go, in the caller's transaction; false without the lease. */
    public Uni<Boolean> complete(UUID orgId, String owner, Instant at) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery("update Offboarding set status = '"
                        + Offboarding.COMPLETED + "', step = :step, finishedAt = :at, leaseOwner = null, leaseUntil = null"
                        + " where " + HELD)
                .setParameter("step", OffboardingStep.done.name()).setParameter("at", at)
                .setParameter("org", orgId).setParameter("owner", owner)
                .executeUpdate())
                .map(changed -> changed == 1);
    }

    /** The running offboardings whose lease ran out by {@code now} (index org_offboarding_running), at most 100. */
    @WithSession
    public Uni<List<UUID>> expired(Instant now) {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select orgId from Offboarding where status = '" + Offboarding.RUNNING + "' and leaseUntil < :now"
                                + " order by leaseUntil", UUID.class)
                .setParameter("now", now).setMaxResults(100).getResultList());
    }

    /**
     * Takes over a running offboarding whose lease ran out by {@code now}, in the caller's transaction. A
     * conditional update: of several instances trying at once, exactly one gets it.
     */
    public Uni<Boolean> takeOver(UUID orgId, String owner, Instant now, Instant leaseUntil) {
        return update("leaseOwner = ?1, leaseUntil = ?2 where orgId = ?3 and status = '" + Offboarding.RUNNING
                + "' and leaseUntil < ?4", owner, leaseUntil, orgId, now).map(changed -> changed == 1);
    }
}

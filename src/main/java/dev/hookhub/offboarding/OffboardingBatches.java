package dev.hookhub.offboarding;

import dev.hookhub.HookhubConfig;
import dev.hookhub.delivery.DeliveryAttemptRepository;
import dev.hookhub.delivery.DeliveryRepository;
import dev.hookhub.delivery.EventRepository;
import dev.hookhub.subscription.DeletionRequest;
import dev.hookhub.subscription.DeletionScope;
import dev.hookhub.subscription.EventTypeRepository;
import dev.hookhub.subscription.SubscriptionDeletion;
import dev.hookhub.subscription.SubscriptionRepository;
import dev.hookhub.tenancy.ApiClientRepository;
import dev.hookhub.tenancy.ApiKeyRepository;
import dev.hookhub.tenancy.AuditRecord;
import dev.hookhub.tenancy.AuditRepository;
import dev.hookhub.tenancy.OrganizationRepository;
import dev.hookhub.tenancy.Requester;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The batches of an offboarding, each one short transaction that removes at most hookhub.offboarding.batch-size
 * rows of a kind, adds what it removed to the status row and renews the lease — or rolls back when this instance
 * no longer holds the lease. Each batch takes whatever is left, so a batch repeated after a crash removes
 * nothing twice and the counts stay exact.
 */
@ApplicationScoped
class OffboardingBatches {

    /** The surface the delete core's records of an offboarding name. */
    static final String SURFACE = "offboarding";

    /** The job a batch belongs to: the org, this instance (the lease owner), and who asked (for the audit records). */
    record Job(UUID orgId, String owner, Requester requester) {
    }

    /** This instance lost the offboarding's lease to another one: the batch rolls back, the job stops here. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost(UUID orgId) {
            super("Another instance took over the offboarding of org " + orgId, null, false, false);
        }
    }

    private final SubscriptionDeletion deletion;
    private final SubscriptionRepository subscriptions;
    private final EventTypeRepository eventTypes;
    private final EventRepository events;
    private final DeliveryRepository deliveries;
    private final DeliveryAttemptRepository attempts;
    private final ApiClientRepository clients;
    private final ApiKeyRepository keys;
    private final OrganizationRepository orgs;
    private final AuditRepository audit;
    private final OffboardingRepository offboardings;
    private final Pool pool;
    private final HookhubConfig config;

    OffboardingBatches(SubscriptionDeletion deletion, SubscriptionRepository subscriptions, EventTypeRepository eventTypes,
            EventRepository events, DeliveryRepository deliveries, DeliveryAttemptRepository attempts,
            ApiClientRepository clients, ApiKeyRepository keys, OrganizationRepository orgs, AuditRepository audit,
            OffboardingRepository offboardings, Pool pool, HookhubConfig config) {
        this.deletion = deletion;
        this.subscriptions = subscriptions;
        this.eventTypes = eventTypes;
        this.events = events;
        this.deliveries = deliveries;
        this.attempts = attempts;
        this.clients = clients;
        this.keys = keys;
        this.orgs = orgs;
        this.audit = audit;
        this.offboardings = offboardings;
        this.pool = pool;
        this.config = config;
    }

    /**
     * The org's next live subscriptions, through the delete core (tombstone, pending deliveries, secrets, audit
     * record each), and the progress in the same transaction: the core runs on the reactive client, so this
     * transaction does too. Before it, the latest lease of the org's deliveries in flight: their attempts may
     * be recorded until then, and the tombstones wait for it. The count deleted; 0 when none is live.
     */
    Uni<Long> subscriptions(Job job) {
        DeletionRequest request = DeletionRequest.of(new DeletionScope.OfOrg(job.orgId(), batchSize()),
                job.requester().actor(), SURFACE, job.requester().remoteAddress());
        return deliveries.inFlightUntil(job.orgId()).flatMap(inFlightUntil -> pool.withTransaction(transaction ->
                deletion.deleteBatch(request, transaction).flatMap(batch -> offboardings.progress(transaction,
                                job.orgId(), job.owner(), batch.subscriptions(), batch.droppedDeliveries(),
                                batch.subscriptions() > 0 ? inFlightUntil : null, leaseUntil())
                        .map(held -> held(job, held, (long) batch.subscriptions())))));
    }

    /** The org's API clients, API keys (both revoked since the start) and event types: a batch of each. */
    Uni<Long> credentials(Job job) {
        int n = batchSize();
        return inTransaction(job, OffboardingStep.credentials, () -> clients.deleteOfOrg(job.orgId(), n)
                .flatMap(c -> keys.deleteOfOrg(job.orgId(), n)
                        .flatMap(k -> eventTypes.deleteOfOrg(job.orgId(), n)
                                .map(t -> new Removed(0, 0, 0, 0, 0, 0, c, k, t)))));
    }

    /**
     * The org's newest events (index event_org_created): their deliveries, at most a batch of them (index
     * delivery_event), and the events once none is left. Pending ones went with their subscriptions; what is left
     * is history, and whatever a publish queued meanwhile.
     */
    Uni<Long> events(Job job) {
        int n = batchSize();
        return inTransaction(job, OffboardingStep.events, () -> events.newestOfOrg(job.orgId(), n)
                .flatMap(ids -> deliveries.deleteOfEvents(ids, n)
                        .flatMap(d -> (d < n ? Uni.createFrom().item(false) : deliveries.anyOfEvents(ids))
                                .flatMap(more -> more ? Uni.createFrom().item(0L) : events.deleteAll(ids))
                                .map(e -> new Removed(0, 0, d, e, 0, 0, 0, 0, 0)))));
    }

    /**
     * The attempts of the org's first tombstones (index subscription_org, then delivery_attempt_subscription), at
     * most a batch of them, and the tombstones once none is left — but not before the attempts of deliveries
     * that were in flight can have been recorded (attempts_settle_at): until then this renews the lease and
     * waits, as a batch that removed something. False when no tombstone is left.
     */
    Uni<Boolean> attempts(Job job) {
        int n = batchSize();
        return offboardings.find(job.orgId()).flatMap(status -> {
            Instant now = Instant.now();
            if (status != null && status.attemptsSettleAt != null && status.attemptsSettleAt.isAfter(now)) {
                long waitMillis = Math.min(ChronoUnit.MILLIS.between(now, status.attemptsSettleAt),
                        config.offboarding().lease().toMillis() / 3);
                return inTransaction(job, OffboardingStep.attempts, () -> Uni.createFrom().item(Removed.NOTHING))
                        .onItem().delayIt().by(java.time.Duration.ofMillis(Math.max(1, waitMillis)))
                        .replaceWith(true);
            }
            boolean[] any = {false};
            return inTransaction(job, OffboardingStep.attempts, () -> subscriptions.tombstonesOfOrg(job.orgId(), n)
                    .flatMap(ids -> {
                        any[0] = !ids.isEmpty();
                        return attempts.deleteOfSubscriptions(ids, n).flatMap(a -> (a < n
                                        ? Uni.createFrom().item(false) : attempts.anyOfSubscriptions(ids))
                                .flatMap(more -> more ? Uni.createFrom().item(0L) : subscriptions.deleteTombstones(ids))
                                .map(t -> new Removed(0, 0, 0, 0, a, t, 0, 0, 0)));
                    }))
                    .map(removed -> any[0]);
        });
    }

    /**
     * The end, in one transaction: when nothing of the org is left (a request admitted before the start may
     * have added something meanwhile: false, and the job goes round again), the organization row, the audit
     * record {@code org.offboard} with the counts, and the status completed.
     */
    Uni<Boolean> finish(Job job) {
        return Panache.withTransaction(() -> anyLeft(job.orgId()).flatMap(left -> {
            if (left) {
                return Uni.createFrom().item(false);
            }
            return offboardings.find(job.orgId()).flatMap(status -> {
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                return orgs.deleteOffboarded(job.orgId())
                        .call(() -> audit.record(AuditRecord.ofOrg(job.orgId(), "org.offboard", status.removed().asJson(),
                                job.requester(), now)))
                        .flatMap(deleted -> offboardings.complete(job.orgId(), job.owner(), now))
                        .map(held -> held(job, held, true));
            });
        }));
    }

    private Uni<Boolean> anyLeft(UUID orgId) {
        List<Supplier<Uni<Boolean>>> checks = List.of(() -> subscriptions.anyOfOrg(orgId), () -> events.anyOfOrg(orgId),
                () -> clients.anyOfOrg(orgId), () -> keys.anyOfOrg(orgId), () -> eventTypes.anyOfOrg(orgId));
        Uni<Boolean> left = Uni.createFrom().item(false);
        for (Supplier<Uni<Boolean>> check : checks) {
            left = left.flatMap(found -> found ? Uni.createFrom().item(true) : check.get());
        }
        return left;
    }

    /** A Panache batch and its progress in one transaction; the batch's total count. */
    private Uni<Long> inTransaction(Job job, OffboardingStep step, Supplier<Uni<Removed>> batch) {
        return Panache.withTransaction(() -> batch.get().flatMap(removed -> offboardings
                .progress(job.orgId(), job.owner(), step, removed, leaseUntil())
                .map(held -> held(job, held, removed.total()))));
    }

    private static <T> T held(Job job, boolean held, T result) {
        if (!held) {
            throw new LeaseLost(job.orgId());
        }
        return result;
    }

    private Instant leaseUntil() {
        return Instant.now().plus(config.offboarding().lease());
    }

    private int batchSize() {
        return Math.max(1, config.offboarding().batchSize());
    }
}

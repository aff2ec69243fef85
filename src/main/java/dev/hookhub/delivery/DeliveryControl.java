package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.subscription.Subscription;
import dev.hookhub.subscription.SubscriptionRepository;
import dev.hookhub.support.Rejection;
import dev.hookhub.tenancy.AuditRecord;
import dev.hookhub.tenancy.AuditRepository;
import dev.hookhub.tenancy.Requester;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * What an operator does to a subscription's deliveries (README, "Delivery control"): pause and resume it,
 * re-queue what failed in a time window (recover), and skip the failed head that blocks an ordered (fifo)
 * subscription. Each is one transaction within the caller's org that writes its audit record
 * ({@code subscription.pause}, {@code subscription.resume}, {@code subscription.recover}, {@code delivery.skip})
 * and NOTIFYs the workers at commit when it made something sendable. Null answers mean "no such thing in this
 * org"; a state that forbids the change is a {@link Rejection.Conflict}, a bad value a {@link Rejection.InvalidField}.
 * How the engine honours a pause, a rate, a bound and fifo is the claim's (DeliveryRepository).
 */
@ApplicationScoped
public class DeliveryControl {

    /** Dates a recovery's window may name are before this one (ISO-8601 with four-digit years). */
    static final Instant LAST_DATE = Instant.parse("9999-12-31T23:59:59Z");

    /** Most event types a recovery may name. */
    static final int MAX_EVENT_TYPES = 50;

    /** A subscription and how many of its deliveries are queued now (held, while it is paused). */
    public record Controlled(Subscription subscription, long held) {
    }

    /**
     * What a recovery re-queued, and the window it looked at ({@code until} filled in when it was not given);
     * {@code next}: where the rest of the window starts when it held more than one recovery re-queues, else null.
     */
    public record Recovered(int requeued, Instant since, Instant until, Instant next) {
    }

    private final SubscriptionRepository subscriptions;
    private final DeliveryRepository deliveries;
    private final AuditRepository audit;
    private final HookhubConfig config;

    public DeliveryControl(SubscriptionRepository subscriptions, DeliveryRepository deliveries, AuditRepository audit,
            HookhubConfig config) {
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.audit = audit;
        this.config = config;
    }

    /** The org's live subscription with its queued count; null when there is none. */
    @WithSession
    public Uni<Controlled> find(UUID orgId, UUID id) {
        return subscriptions.findLive(orgId, id).onItem().ifNotNull().transformToUni(this::withHeld);
    }

    /**
     * Pauses the subscription: from the commit on, the claim takes none of its deliveries; they stay queued (held).
     * Pausing a paused one changes nothing (its pausedAt stays the first one) and records nothing.
     */
    @WithTransaction
    public Uni<Controlled> pause(UUID orgId, UUID id, Requester by) {
        return locked(orgId, id, s -> {
            if (s.paused()) {
                return withHeld(s);
            }
            s.pausedAt = now();
            return subscriptions.persistAndFlush(s)
                    .call(saved -> audit.record(AuditRecord.of(orgId, id, "subscription.pause", null, by)))
                    .flatMap(this::withHeld);
        });
    }

    /**
     * Resumes a paused subscription and wakes the workers at commit. A pause does not count towards
     * deactivate-after-failing: a run of failures that began before it (failingSince) is moved forward by the time
     * it was paused (by the part of the pause after the run began, when it began during the pause, so it never
     * lies ahead). Resuming one that is not paused changes nothing and records nothing.
     */
    @WithTransaction
    public Uni<Controlled> resume(UUID orgId, UUID id, Requester by) {
        return locked(orgId, id, s -> {
            if (!s.paused()) {
                return withHeld(s);
            }
            Instant now = now();
            if (s.failingSince != null) {
                Instant from = s.failingSince.isAfter(s.pausedAt) ? s.failingSince : s.pausedAt;
                s.failingSince = s.failingSince.plus(Duration.between(from, now));
            }
            s.pausedAt = null;
            return subscriptions.persistAndFlush(s)
                    .call(saved -> audit.record(AuditRecord.of(orgId, id, "subscription.resume", null, by)))
                    .call(saved -> deliveries.wakeWorkersAtCommit())
                    .flatMap(this::withHeld);
        });
    }

    /**
     * Re-queues, due now, every delivery of the subscription published in [since, until) (until: now when null)
     * that failed for good or waits for a retry after a failed attempt, of one of {@code eventTypes} when given,
     * whose event was not erased; each once, keeping its attempt count. Null when the org has no such live
     * subscription; a conflict when it is inactive (nothing would be attempted). The target of its audit record is
     * the number re-queued.
     */
    @WithTransaction
    public Uni<Recovered> recover(UUID orgId, UUID id, Instant since, Instant until, List<String> eventTypes,
            Requester by) {
        Instant end = until == null ? now() : until;
        window(since, end);
        List<String> types = eventTypes(eventTypes);
        return locked(orgId, id, s -> {
            if (!s.active) {
                throw Rejection.conflict("The subscription is inactive, so nothing of it would be attempted;"
                        + " activate it before recovering its deliveries");
            }
            // At most recover-limit rows per request: one statement over a whole window could outlast the statement
            // timeout, holding the subscription's lock all along, and then fail the same way on every retry.
            return part(id, since, end, types)
                    .call(part -> part.requeued() > 0 ? deliveries.wakeWorkersAtCommit() : Uni.createFrom().voidItem())
                    .call(part -> audit.record(AuditRecord.of(orgId, id, "subscription.recover",
                            String.valueOf(part.requeued()), by)))
                    .map(part -> new Recovered(part.requeued(), since, end, part.next()));
        });
    }

    /** One part of a recovery: how many it re-queued, and where the next part starts (null: none). */
    private record Part(int requeued, Instant next) {
    }

    /**
     * Re-queues the first recover-limit deliveries of the window (by publish time), or all of it when it holds no
     * more. When more than the limit share the window's first publish time, the part is just them.
     */
    private Uni<Part> part(UUID id, Instant since, Instant until, List<String> types) {
        return deliveries.recoveryCut(id, since, until, types, config.delivery().recoverLimit()).flatMap(cut -> {
            if (cut == null) {
                return deliveries.requeueFailed(id, since, until, types).map(n -> new Part(n, null));
            }
            Instant past = cut.plus(1, ChronoUnit.MICROS);
            return deliveries.requeueFailed(id, since, cut, types).flatMap(n -> n > 0
                    ? Uni.createFrom().item(new Part(n, cut))
                    : deliveries.requeueFailed(id, since, past, types).map(m -> new Part(m, past)));
        });
    }

    /**
     * Skips the blocked head of an ordered subscription: the delivery is cancelled (recorded as such, with an audit
     * record {@code delivery.skip}) and the next one in publish order becomes the head. Only the subscription's
     * first pending delivery, queued after at least one failed attempt, of a fifo subscription; anything else is a
     * conflict saying why. Null when the org has no such delivery of a live subscription.
     */
    @WithTransaction
    public Uni<DeliveryHistory.DeliveryState> skip(UUID orgId, UUID deliveryId, Requester by) {
        return deliveries.skipHead(orgId, deliveryId).flatMap(skipped -> skipped == 0 ? whyNotSkip(orgId, deliveryId)
                : deliveries.findInOrg(orgId, deliveryId)
                        .call(d -> audit.record(AuditRecord.of(orgId, d.subscriptionId, "delivery.skip",
                                deliveryId.toString(), by)))
                        .call(d -> deliveries.wakeWorkersAtCommit())
                        .map(DeliveryHistory.DeliveryState::of));
    }

    /** Why a delivery cannot be skipped: null when the org has none of a live subscription, else a conflict. */
    private Uni<DeliveryHistory.DeliveryState> whyNotSkip(UUID orgId, UUID deliveryId) {
        return deliveries.findInOrg(orgId, deliveryId).onItem().ifNotNull().transformToUni(d ->
                subscriptions.findLive(orgId, d.subscriptionId).onItem().ifNotNull().transformToUni(s ->
                        deliveries.headOf(s.id).map(head -> {
                            if (!Delivery.QUEUED.equals(d.status) && !Delivery.IN_FLIGHT.equals(d.status)) {
                                throw Rejection.conflict("The delivery is already finished (" + d.status + ")");
                            }
                            if (!Subscription.FIFO.equals(s.ordering)) {
                                throw Rejection.conflict("The subscription is not ordered (ordering '" + s.ordering
                                        + "'): nothing blocks its deliveries, so there is nothing to skip");
                            }
                            if (Delivery.IN_FLIGHT.equals(d.status)) {
                                throw Rejection.conflict("An attempt of the delivery is in flight; skip it if that"
                                        + " attempt fails");
                            }
                            if (head == null || !head.id.equals(d.id)) {
                                throw Rejection.conflict("The delivery is not the head of its subscription's queue:"
                                        + " only the first pending delivery in publish order can be skipped");
                            }
                            if (d.attempts == 0) {
                                throw Rejection.conflict("The delivery has not failed yet: only a head that failed"
                                        + " at least once can be skipped");
                            }
                            throw Rejection.conflict("The delivery changed while it was being skipped; try again");
                        })));
    }

    private Uni<Controlled> withHeld(Subscription s) {
        return deliveries.queuedOf(s.id).map(held -> new Controlled(s, held));
    }

    /** The org's live subscription, locked for the transaction (a delete waits), given to {@code then}; else null. */
    private <T> Uni<T> locked(UUID orgId, UUID id, Function<Subscription, Uni<T>> then) {
        return subscriptions.lockLive(orgId, id).flatMap(locked -> !locked ? Uni.createFrom().<T>nullItem()
                : subscriptions.findLive(orgId, id).flatMap(s -> then.apply(s)));
    }

    /**
     * A recovery's window: since required, before until, and not before what retention keeps (finished deliveries
     * and events older than their periods are purged, so an older since would promise rows that are gone).
     */
    private void window(Instant since, Instant until) {
        if (since == null) {
            throw Rejection.invalidField("since", "is required: an ISO-8601 date-time such as 2026-12-05T17:00:00Z");
        }
        if (!since.isBefore(until)) {
            throw Rejection.invalidField("until", "must be after since (" + since + ")");
        }
        if (!until.isBefore(LAST_DATE)) {
            // Past PostgreSQL's range (year 294276) the query itself failed, with an answer naming nothing.
            throw Rejection.invalidField("until", "must be before " + LAST_DATE);
        }
        Duration kept = min(config.retention().deliveries(), config.retention().events());
        if (since.isBefore(now().minus(kept))) {
            throw Rejection.invalidField("since", "must be within the retention period of deliveries (" + kept
                    + "): older ones are purged");
        }
    }

    private static List<String> eventTypes(List<String> types) {
        if (types == null) {
            return null;
        }
        if (types.isEmpty()) {
            throw Rejection.invalidField("eventTypes", "must list at least one event type, or be left out for every type");
        }
        if (types.size() > MAX_EVENT_TYPES) {
            throw Rejection.invalidField("eventTypes", "must list at most " + MAX_EVENT_TYPES + " event types");
        }
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) == null) {
                throw Rejection.invalidField("eventTypes[" + i + "]", "must be a string");
            }
        }
        return types;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Microseconds: what PostgreSQL keeps, so a value read back equals the one written. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}

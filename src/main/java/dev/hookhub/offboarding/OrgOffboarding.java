package dev.hookhub.offboarding;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.ApiClientRepository;
import dev.hookhub.tenancy.ApiKeyRepository;
import dev.hookhub.tenancy.OrgOffboarded;
import dev.hookhub.tenancy.OrganizationRepository;
import dev.hookhub.tenancy.Requester;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Offboarding an org (README, "Offboarding an org"): the start, in one transaction — from its commit the org
 * accepts nothing (offboarded_at set, its data key destroyed, its clients and keys revoked) — and then a job that
 * removes everything of the org in batches ({@link OffboardingBatches}), each its own short transaction, until
 * only the audit records and the status row are left.
 *
 * <p>The job runs in the instance that holds its lease. Every instance looks for running offboardings whose
 * lease ran out (its holder stopped or was killed) every hookhub.offboarding.resume-every, from start-up on, and
 * takes them over with a conditional update: exactly one instance goes on with each.
 */
@ApplicationScoped
public class OrgOffboarding {

    /** What asking to offboard came to. */
    public enum Outcome {
        /** This call started it: the job runs. */
        STARTED,
        /** It was running already (the status says how far it got). */
        ALREADY_RUNNING,
        /** No such org: unknown, or gone after a completed offboarding. */
        NO_SUCH_ORG
    }

    /** The outcome, with the offboarding's status (null for {@link Outcome#NO_SUCH_ORG}). */
    public record Start(Outcome outcome, Offboarding status) {
    }

    /** The surface the offboarding's own audit record (org.offboard) names: the operator asks through /v1/admin. */
    static final String ADMIN_SURFACE = "v1-admin";

    /** This instance, as the lease owner of the jobs it runs. */
    private final String owner = "instance-" + Ids.newId();
    /** The jobs this instance runs, by org. */
    private final Map<UUID, CompletableFuture<Offboarding>> running = new ConcurrentHashMap<>();

    private final OffboardingBatches batches;
    private final OffboardingRepository offboardings;
    private final OrganizationRepository orgs;
    private final ApiClientRepository clients;
    private final ApiKeyRepository keys;
    private final Event<OrgOffboarded> offboarded;
    private final Vertx vertx;
    private final HookhubConfig config;
    private final DatabaseOutage outage;

    public OrgOffboarding(OffboardingBatches batches, OffboardingRepository offboardings, OrganizationRepository orgs,
            ApiClientRepository clients, ApiKeyRepository keys, Event<OrgOffboarded> offboarded, Vertx vertx,
            HookhubConfig config, DatabaseOutage outage) {
        this.outage = outage;
        this.batches = batches;
        this.offboardings = offboardings;
        this.orgs = orgs;
        this.clients = clients;
        this.keys = keys;
        this.offboarded = offboarded;
        this.vertx = vertx;
        this.config = config;
    }

    /**
     * Starts offboarding the org, or finds it running. The start is one transaction: offboarded_at set and the
     * data key destroyed (a conditional update, so of two concurrent calls exactly one starts), every client and
     * key revoked, the status row written with this instance's lease. After the commit this instance forgets the
     * org's remembered tokens (OrgOffboarded) and the job begins.
     */
    public Uni<Start> start(UUID orgId, Requester by) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> orgs.markOffboarded(orgId, now).flatMap(changed -> {
            if (changed == 0) {
                return offboardings.find(orgId).map(existing -> existing != null && !existing.completed()
                        ? new Start(Outcome.ALREADY_RUNNING, existing) : new Start(Outcome.NO_SUCH_ORG, null));
            }
            Offboarding status = new Offboarding();
            status.orgId = orgId;
            status.requestedBy = by.actor();
            status.requestedFrom = by.remoteAddress();
            status.startedAt = now;
            status.status = Offboarding.RUNNING;
            status.step = OffboardingStep.subscriptions.name();
            status.leaseOwner = owner;
            status.leaseUntil = now.plus(config.offboarding().lease());
            return clients.revokeAllOfOrg(orgId, now)
                    .call(() -> keys.revokeAllOfOrg(orgId, now))
                    .flatMap(revoked -> offboardings.persist(status))
                    .map(saved -> new Start(Outcome.STARTED, saved));
        })).invoke(start -> {
            if (start.outcome() == Outcome.STARTED) {
                offboarded.fire(new OrgOffboarded(orgId));
                launch(orgId);
            }
        });
    }

    /** The org's offboarding as it stands (running or completed); null when it was never asked for. */
    public Uni<Offboarding> status(UUID orgId) {
        return offboardings.find(orgId);
    }

    /**
     * Waits up to hookhub.offboarding.answer-wait for the job this instance runs for the org, then answers the
     * status as it stands: completed, or still running. The wait never stops the job.
     */
    public Uni<Offboarding> awaitCompletion(UUID orgId) {
        Executor here = onContext(Vertx.currentContext());
        CompletableFuture<Offboarding> job = running.get(orgId);
        Uni<Offboarding> done = job == null ? Uni.createFrom().nullItem()
                // a copy: giving up on it must not cancel the job's own future
                : Uni.createFrom().completionStage(job::copy);
        return done.ifNoItem().after(config.offboarding().answerWait()).recoverWithItem((Offboarding) null)
                .onFailure().recoverWithNull()
                .emitOn(here)
                .flatMap(finished -> finished != null ? Uni.createFrom().item(finished) : offboardings.find(orgId));
    }

    /**
     * Takes over the running offboardings whose lease ran out (an instance stopped or was killed mid-way; this
     * one after a restart too) and runs them here. From start-up on, every hookhub.offboarding.resume-every.
     */
    @Scheduled(every = "${hookhub.offboarding.resume-every:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> resume() {
        Instant now = Instant.now();
        return offboardings.expired(now).flatMap(orgIds -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (UUID orgId : orgIds) {
                if (running.containsKey(orgId)) {
                    continue;
                }
                chain = chain.flatMap(v -> Panache.withTransaction(() -> offboardings.takeOver(orgId, owner, now,
                                Instant.now().plus(config.offboarding().lease())))
                        .invoke(taken -> {
                            if (taken) {
                                Log.infof("Resuming the offboarding of org %s (its lease had run out)", orgId);
                                launch(orgId);
                            }
                        }).replaceWithVoid());
            }
            return chain;
        }).onFailure().invoke(e -> {
            if (!outage.absorbed(e, "looking for offboardings to resume")) {
                Log.warnf("Looking for offboardings to resume failed: %s", e.toString());
            }
        })
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Runs the org's job here, on a Vert.x context of its own (it outlives the request that started it). */
    private CompletableFuture<Offboarding> launch(UUID orgId) {
        CompletableFuture<Offboarding> job = new CompletableFuture<>();
        CompletableFuture<Offboarding> existing = running.putIfAbsent(orgId, job);
        if (existing != null) {
            return existing;
        }
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        context.runOnContext(v -> {
            VertxContextSafetyToggle.setCurrentContextSafe(true);
            run(orgId, onContext(context)).subscribe().with(done -> {
                running.remove(orgId, job);
                Log.infof("Offboarded org %s: removed %s", orgId, done.removed().asJson());
                job.complete(done);
            }, failure -> {
                running.remove(orgId, job);
                if (failure instanceof OffboardingBatches.LeaseLost) {
                    Log.infof("%s", failure.getMessage());
                } else {
                    Log.warnf("The offboarding of org %s stopped (%s); it resumes once its lease runs out",
                            orgId, failure.toString());
                }
                job.completeExceptionally(failure);
            });
        });
        return job;
    }

    /** The job: batch after batch, step after step, until the org is gone; then its final status. */
    private Uni<Offboarding> run(UUID orgId, Executor context) {
        return offboardings.find(orgId).flatMap(status -> {
            OffboardingBatches.Job job = new OffboardingBatches.Job(orgId, owner,
                    new Requester(status.requestedBy, ADMIN_SURFACE, status.requestedFrom));
            AtomicReference<OffboardingStep> step = new AtomicReference<>(OffboardingStep.subscriptions);
            long[] stepStart = {System.nanoTime()};
            int[] batchesOfStep = {0};
            return Multi.createBy().repeating().uni(() -> next(job, step.get()).emitOn(context).invoke(following -> {
                        batchesOfStep[0]++;
                        if (following != step.get()) {
                            Log.infof("Offboarding org %s: step %s took %d ms (%d batches)", orgId, step.get(),
                                    (System.nanoTime() - stepStart[0]) / 1_000_000, batchesOfStep[0]);
                            stepStart[0] = System.nanoTime();
                            batchesOfStep[0] = 0;
                        }
                        step.set(following);
                    }))
                    .whilst(s -> s != OffboardingStep.done)
                    .collect().last();
        }).flatMap(last -> offboardings.find(orgId));
    }

    /** One batch of the step, and the step the next batch is of. */
    private Uni<OffboardingStep> next(OffboardingBatches.Job job, OffboardingStep step) {
        return switch (step) {
            case subscriptions -> batches.subscriptions(job)
                    .map(n -> n > 0 ? step : OffboardingStep.credentials);
            case credentials -> batches.credentials(job).map(n -> n > 0 ? step : OffboardingStep.events);
            case events -> batches.events(job).map(n -> n > 0 ? step : OffboardingStep.attempts);
            case attempts -> batches.attempts(job).map(more -> more ? step : OffboardingStep.finishing);
            case finishing -> batches.finish(job).map(done -> {
                if (!done) {
                    Log.infof("Offboarding org %s: rows were added meanwhile; going round again", job.orgId());
                }
                return done ? OffboardingStep.done : OffboardingStep.subscriptions;
            });
            case done -> Uni.createFrom().item(OffboardingStep.done);
        };
    }

    private static Executor onContext(Context context) {
        return context == null ? Runnable::run : task -> context.runOnContext(v -> task.run());
    }
}

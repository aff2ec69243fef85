package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.store.DatabaseOutage;
import dev.hookhub.store.HandledConnectionsPool;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The delivery loop of this instance: claims due deliveries in batches, makes their attempts
 * concurrently (bounded overall and, through the claim, per subscription) and records each.
 *
 * <p>It wakes on a PostgreSQL NOTIFY from the publishing transaction (a dedicated LISTEN connection),
 * when an attempt frees a slot, and on an adaptive poll as the fallback: the poll runs at
 * {@code min-poll-interval} while there is work and backs off to {@code max-poll-interval} when idle,
 * which also picks up retries as they fall due. Everything is non-blocking on the Vert.x event loop.
 */
@ApplicationScoped
public class DeliveryWorker {

    private final Vertx vertx;
    private final DeliveryClaim claim;
    private final DeliverySender sender;
    private final AttemptRecorder recorder;
    private final RetryPolicy policy;
    private final DeliveryMetrics metrics;
    private final HookhubConfig.Delivery settings;
    private final Config config;
    private final DatabaseOutage outage;

    /** Empty claims in a row that stopped at claim-visits and went on at once before the poll takes over. */
    private static final int MAX_EMPTY_ROUNDS = 16;
    /** How far below its bound an org is left out of claims (see busiestBelowBound). */
    private static final int NEAR_BOUND = 32;
    /** Slowest poll while subscriptions are held at their bound (a dead instance's leases end unannounced). */
    private static final long HELD_POLL_MS = 1000;

    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Payload bytes (as stored) of the attempts under way: at most max-in-flight-bytes, past it by one claim's first. */
    private final AtomicLong bytesInFlight = new AtomicLong();
    /**
     * This instance's attempts under way per org and their payload bytes; an org at max-in-flight-per-org or at
     * {@link #orgByteBound} is left out of claims, so one org's hanging endpoints (or its large events to them) cannot
     * hold every slot or the whole max-in-flight-bytes, which stopped every other org's claims until their deadline.
     */
    private final Map<UUID, OrgLoad> loadByOrg = new ConcurrentHashMap<>();
    private volatile boolean running;
    /** Completed when the last attempt under way ends after the worker stopped claiming. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final Duration shutdownTimeout;
    private volatile long pollMillis;
    private int emptyRounds; // only touched by the one running claim
    private long timerId = -1;
    private PgSubscriber subscriber;

    public DeliveryWorker(Vertx vertx, DeliveryClaim claim, DeliverySender sender, AttemptRecorder recorder,
            RetryPolicy policy, DeliveryMetrics metrics, HookhubConfig hookhub, Config config, MeterRegistry registry,
            DatabaseOutage outage) {
        this.outage = outage;
        this.vertx = vertx;
        this.claim = claim;
        this.sender = sender;
        this.recorder = recorder;
        this.policy = policy;
        this.metrics = metrics;
        this.settings = hookhub.delivery();
        this.shutdownTimeout = hookhub.shutdownTimeout();
        this.config = config;
        this.pollMillis = settings.minPollInterval().toMillis();
        Gauge.builder("hookhub.delivery.in.flight", inFlight, AtomicInteger::get)
                .description("Attempts this instance has under way (at most hookhub.delivery.max-in-flight)").register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!settings.workerEnabled()) {
            Log.info("Delivery worker disabled (hookhub.delivery.worker-enabled=false)");
            return;
        }
        running = true;
        listen();
        wake();
    }

    /**
     * Stops claiming and waits, at most {@code hookhub.shutdown-timeout}, for the attempts under way to end and be
     * recorded, before the datasource closes: unrecorded, their deliveries would wait for their leases to run out
     * and be sent again. An attempt ends by its own deadline ({@code timeout}) at the latest.
     */
    void stop(@Observes ShutdownEvent event) {
        running = false;
        synchronized (this) {
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
            }
        }
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
        int left = inFlight.get();
        if (left > 0) {
            Log.infof("Delivery worker stopping: waiting up to %s for %d attempts under way", shutdownTimeout, left);
            try {
                drained.get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                Log.warnf("Delivery worker stopped with %d attempts unrecorded; their deliveries go again when their"
                        + " leases end", inFlight.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Number of attempts this instance has in flight now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void listen() {
        String url = config.getOptionalValue("quarkus.datasource.reactive.url", String.class).orElse(null);
        if (url == null) {
            Log.warn("Delivery worker has no datasource URL to LISTEN on; polling only");
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""));
        config.getOptionalValue("quarkus.datasource.username", String.class).ifPresent(options::setUser);
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1000L);
        // Its connection's failures (PostgreSQL's shutdown notice, a reset) are the reconnect's to handle; without a
        // handler the client prints them to standard error. Set again on every (re)subscription's new connection.
        subscriber.channel(EventRepository.CHANNEL).handler(payload -> wake())
                .subscribeHandler(() -> HandledConnectionsPool.handled(subscriber.actualConnection().getDelegate()));
        subscriber.connect().subscribe().with(
                ok -> Log.debug("Delivery worker listening for new events"),
                e -> Log.warnf("Delivery worker cannot LISTEN (%s); polling only", e.getMessage()));
    }

    /** Claims as many deliveries as there is room for; at most one claim runs at a time. */
    void wake() {
        if (!running) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            wakeAgain.set(true);
            return;
        }
        wakeAgain.set(false);
        int free = Math.min(settings.batchSize(), settings.maxInFlight() - inFlight.get());
        long bytes = settings.maxInFlightBytes().asLongValue() - bytesInFlight.get();
        List<UUID> full = new ArrayList<>();
        // No more than the busiest org left in the claim may still start, nor take more bytes than the heaviest may:
        // one claim could give it all.
        OrgLoad busiest = leaveOutFullOrgs(full);
        int room = Math.min(free, settings.effectiveMaxInFlightPerOrg() - busiest.attempts);
        long byteRoom = Math.min(bytes, orgByteBound() - busiest.bytes);
        if (room <= 0 || byteRoom <= 0) {
            claiming.set(false); // a finishing attempt wakes the worker again
            return;
        }
        claim.claim(room, full, byteRoom).subscribe().with(batch -> {
            List<ClaimedDelivery> claimed = batch.deliveries();
            for (ClaimedDelivery d : claimed) {
                inFlight.incrementAndGet();
                bytesInFlight.addAndGet(d.size());
                // Within compute (atomic per org), as the removal below: an entry cannot go between its get and add.
                loadByOrg.compute(d.orgId(), (org, load) -> (load == null ? new OrgLoad() : load).add(1, d.size()));
            }
            pollMillis = claimed.isEmpty()
                    ? Math.min(pollMillis * 2, settings.maxPollInterval().toMillis())
                    : settings.minPollInterval().toMillis();
            // A claim that stopped at claim-visits goes on at once; after a whole round of empty ones
            // (every subscription at its bound, say) the poll takes over.
            emptyRounds = claimed.isEmpty() ? emptyRounds + 1 : 0;
            boolean goOn = claimed.size() == room || (batch.more() && emptyRounds < MAX_EMPTY_ROUNDS);
            claiming.set(false);
            // The next claim first (this batch is counted above), then this batch's attempts: the next claim runs in
            // the database while this thread signs and sends them. The other way round, every claim waited for the
            // previous batch's sending (a few ms for 100 attempts), and slots freed meanwhile stayed empty.
            if (wakeAgain.getAndSet(false) || goOn) {
                wake();
            } else {
                schedulePoll(batch.held());
            }
            claimed.forEach(this::attempt);
        }, failure -> {
            if (!outage.absorbed(failure, "the delivery worker's claim")) {
                Log.warnf("Delivery claim failed: %s", failure.getMessage());
            }
            pollMillis = settings.maxPollInterval().toMillis();
            claiming.set(false);
            schedulePoll(false);
        });
    }

    /**
     * The next poll: the adaptive interval, at most {@link #HELD_POLL_MS} while the last claim passed a
     * subscription at its bound: its leases may be a dead instance's, and when they run out nothing else would
     * wake this worker.
     */
    private synchronized void schedulePoll(boolean held) {
        if (!running) {
            return;
        }
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        long delay = held ? Math.min(pollMillis, HELD_POLL_MS) : pollMillis;
        timerId = vertx.setTimer(Math.max(1, delay), id -> wake());
    }

    /** One org's attempts under way in this instance and their payload bytes, changed only within the map's compute. */
    private static final class OrgLoad {
        volatile int attempts;
        volatile long bytes;

        OrgLoad add(int attempts, long bytes) {
            this.attempts += attempts;
            this.bytes += bytes;
            return this;
        }
    }

    /**
     * Adds the orgs at or near their bound in this instance, or at their byte bound, to {@code full} (the claim takes
     * none of their deliveries) and answers the most attempts any org below its bound has under way here and the most
     * bytes any org below its byte bound holds: the claim's batch is kept within that org's room, so no org passes
     * its bounds and the other orgs keep the rest. "Near" is within {@link #NEAR_BOUND} (at most an eighth of the
     * bound): an org just below its bound waits for a few more of its attempts to end instead of cutting every claim,
     * the other orgs' too, down to the few it may still start.
     */
    private OrgLoad leaveOutFullOrgs(List<UUID> full) {
        int bound = settings.effectiveMaxInFlightPerOrg();
        int near = Math.min(NEAR_BOUND, bound / 8);
        long byteBound = orgByteBound();
        OrgLoad busiest = new OrgLoad();
        for (Map.Entry<UUID, OrgLoad> org : loadByOrg.entrySet()) {
            int n = org.getValue().attempts;
            long b = org.getValue().bytes;
            boolean atSlots = n >= bound - near;
            boolean atBytes = b >= byteBound;
            if (atSlots || atBytes) {
                full.add(org.getKey());
            }
            if (!atSlots) {
                busiest.attempts = Math.max(busiest.attempts, n);
            }
            if (!atBytes) {
                busiest.bytes = Math.max(busiest.bytes, b);
            }
        }
        return busiest;
    }

    /**
     * Most payload bytes one org's attempts may hold in this instance: three quarters of max-in-flight-bytes. A claim
     * always takes its first delivery however large (up to max-body-size, 1 MiB), so an org can pass this by one
     * payload and still leave the other orgs room for theirs; at seven eighths (the slots' share) one payload past it
     * used up the whole budget.
     */
    private long orgByteBound() {
        return Math.max(1, settings.maxInFlightBytes().asLongValue() / 4 * 3);
    }

    private void attempt(ClaimedDelivery d) {
        sender.send(d)
                .flatMap(outcome -> {
                    metrics.attempt(outcome);
                    RetryPolicy.Decision decision = policy.decide(d.attempt(), outcome, d.failingSince(), Instant.now());
                    return recorder.record(d, outcome, decision).invoke(recorded -> {
                        if (decision.deactivate()) {
                            Log.infof("Subscription %s deactivated after %s; %d queued deliveries cancelled",
                                    d.subscriptionId(), outcome.description(), recorded.cancelled());
                        }
                    });
                })
                .onFailure().invoke(e -> {
                    if (!outage.absorbed(e, "recording the attempt of delivery " + d.id())) {
                        Log.warnf("Recording the attempt of delivery %s failed: %s", d.id(), e.getMessage());
                    }
                })
                .onFailure().recoverWithNull()
                .onTermination().invoke(() -> {
                    if (inFlight.decrementAndGet() == 0 && !running) {
                        drained.complete(null);
                    }
                    bytesInFlight.addAndGet(-d.size());
                    loadByOrg.computeIfPresent(d.orgId(), (org, load) -> load.add(-1, -d.size()).attempts <= 0 ? null : load);
                    pollMillis = settings.minPollInterval().toMillis();
                })
                .subscribe().with(ignored -> wake());
    }
}

package dev.hookhub;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Liveness of the Vert.x event loops: every second a thread of its own gives each loop a no-op, and
 * /q/health/live is DOWN while one has left its no-op waiting longer than
 * {@code hookhub.liveness.event-loop-stall}. A wedged loop answers nothing it owns, so Kubernetes
 * should replace the process; the check only reads timestamps, so it answers even then (from a loop
 * or worker that still runs).
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements HealthCheck {

    /** No probe outstanding. */
    static final long NONE = Long.MIN_VALUE;
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Duration stall;
    private volatile List<EventExecutor> loops = List.of();
    private volatile AtomicLongArray sentAt = new AtomicLongArray(0);
    private ScheduledExecutorService prober;

    @Inject
    public EventLoopLiveness(Vertx vertx, HookhubConfig config) {
        this(vertx, config.liveness().eventLoopStall());
    }

    EventLoopLiveness(Vertx vertx, Duration stall) {
        this.vertx = vertx;
        this.stall = stall;
    }

    void start(@Observes StartupEvent event) {
        start();
    }

    void stop(@Observes ShutdownEvent event) {
        stop();
    }

    // nettyEventLoopGroup() is deprecated in Vert.x 4.5 (internal in 5): the one public way to reach every loop.
    @SuppressWarnings("deprecation")
    synchronized void start() {
        List<EventExecutor> found = new ArrayList<>();
        vertx.nettyEventLoopGroup().forEach(found::add);
        AtomicLongArray sent = new AtomicLongArray(found.size());
        for (int i = 0; i < found.size(); i++) {
            sent.set(i, NONE);
        }
        loops = List.copyOf(found);
        sentAt = sent;
        // Not a Vert.x timer: that would run on one of the loops being watched.
        prober = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hookhub-event-loop-probe");
            thread.setDaemon(true);
            return thread;
        });
        prober.scheduleWithFixedDelay(this::probe, 0, PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (prober != null) {
            prober.shutdownNow();
            prober = null;
        }
    }

    /** Gives each loop without an outstanding no-op a new one; a stuck loop is not given a queue of them. */
    private void probe() {
        List<EventExecutor> watched = loops;
        AtomicLongArray sent = sentAt;
        for (int i = 0; i < watched.size(); i++) {
            int loop = i;
            if (sent.compareAndSet(loop, NONE, System.nanoTime())) {
                try {
                    watched.get(loop).execute(() -> sent.set(loop, NONE));
                } catch (RuntimeException e) { // shutting down: the loop refuses tasks
                    sent.set(loop, NONE);
                }
            }
        }
    }

    @Override
    public HealthCheckResponse call() {
        AtomicLongArray sent = sentAt;
        long now = System.nanoTime();
        long[] snapshot = new long[sent.length()];
        for (int i = 0; i < snapshot.length; i++) {
            snapshot[i] = sent.get(i);
        }
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-loops")
                .withData("loops", snapshot.length)
                .withData("stallBoundMs", stall.toMillis());
        List<Integer> stalled = stalled(snapshot, now, stall.toNanos());
        for (int loop : stalled) {
            response.withData("loop-" + loop + "-waitingMs", TimeUnit.NANOSECONDS.toMillis(now - snapshot[loop]));
        }
        return response.status(stalled.isEmpty()).build();
    }

    /** The loops whose no-op, given at sentAt (nanoTime, or {@link #NONE}), has waited longer than bound. */
    static List<Integer> stalled(long[] sentAt, long now, long boundNanos) {
        List<Integer> stalled = new ArrayList<>();
        for (int i = 0; i < sentAt.length; i++) {
            if (sentAt[i] != NONE && now - sentAt[i] > boundNanos) {
                stalled.add(i);
            }
        }
        return stalled;
    }
}

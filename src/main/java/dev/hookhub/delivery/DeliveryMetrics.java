package dev.hookhub.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Delivery metrics: attempts and their outcomes, attempt latency, and the queue's depth and lag. */
@ApplicationScoped
public class DeliveryMetrics {

    private final Counter attempted;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter throttled;
    private final Timer latency;
    private final AtomicLong queueDepth = new AtomicLong();
    private final AtomicLong oldestDueAgeSeconds = new AtomicLong();
    private final DeliveryRepository deliveries;

    public DeliveryMetrics(MeterRegistry registry, DeliveryRepository deliveries) {
        this.deliveries = deliveries;
        this.attempted = Counter.builder("hookhub.deliveries.attempted").description("Delivery attempts made")
                .register(registry);
        this.succeeded = Counter.builder("hookhub.deliveries.succeeded").description("Attempts answered with a 2xx")
                .register(registry);
        this.failed = Counter.builder("hookhub.deliveries.failed")
                .description("Attempts that failed (non-2xx, no response, refused)").register(registry);
        this.throttled = Counter.builder("hookhub.deliveries.throttled")
                .description("Attempts answered 429/502/503/504 or timed out: each slows its subscription's pace")
                .register(registry);
        this.latency = Timer.builder("hookhub.delivery.attempt.duration").description("Duration of one attempt")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("hookhub.delivery.queue.depth", queueDepth, AtomicLong::get)
                .description("Deliveries queued or in flight").register(registry);
        Gauge.builder("hookhub.delivery.queue.oldest.due.age", oldestDueAgeSeconds, AtomicLong::get)
                .description("Seconds the oldest due queued delivery has been waiting").baseUnit("seconds")
                .register(registry);
    }

    void attempt(AttemptOutcome outcome) {
        attempted.increment();
        (RetryPolicy.isSuccess(outcome.statusCode()) ? succeeded : failed).increment();
        if (RetryPolicy.isThrottleSignal(outcome)) {
            throttled.increment();
        }
        latency.record(Duration.ofMillis(outcome.durationMs()));
    }

    /** The gauges read the database on a schedule, not on every scrape. */
    @Scheduled(every = "${hookhub.delivery.gauge-refresh-every:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshGauges() {
        return deliveries.queueState()
                .invoke(state -> {
                    queueDepth.set(state.depth());
                    oldestDueAgeSeconds.set(state.oldestDue() == null ? 0
                            : Math.max(0, Duration.between(state.oldestDue(), Instant.now()).toSeconds()));
                })
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }
}

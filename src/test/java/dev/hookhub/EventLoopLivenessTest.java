package dev.hookhub;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /q/health/live reports a wedged Vert.x event loop. */
@QuarkusTest
class EventLoopLivenessTest {

    private static final long NONE = EventLoopLiveness.NONE;

    @Inject
    Vertx vertx;

    @Test
    void liveIsUpWithEveryLoopWatched() {
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("event-loops"))
                .body("checks.find { it.name == 'event-loops' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'event-loops' }.data.stallBoundMs", equalTo(10_000));
    }

    @Test
    void aLoopIsStalledOnlyWhenItsNoOpHasWaitedLongerThanTheBound() {
        long second = TimeUnit.SECONDS.toNanos(1);
        long now = 100 * second;
        assertEquals(List.of(), EventLoopLiveness.stalled(new long[] {NONE, NONE}, now, 10 * second), "nothing outstanding");
        assertEquals(List.of(), EventLoopLiveness.stalled(new long[] {now - 10 * second, now - second}, now, 10 * second),
                "waiting exactly the bound is not yet stalled");
        assertEquals(List.of(1), EventLoopLiveness.stalled(new long[] {now - second, now - 11 * second, NONE}, now, 10 * second));
        // nanoTime may be negative: only differences count.
        assertEquals(List.of(0), EventLoopLiveness.stalled(new long[] {Long.MIN_VALUE + 1}, Long.MIN_VALUE + 20 * second,
                10 * second));
    }

    @Test
    @SuppressWarnings("deprecation") // nettyEventLoopGroup(), as EventLoopLiveness reaches the loops
    void aBlockedEventLoopTurnsTheCheckDownAndBackUpWhenItRunsAgain() throws Exception {
        EventLoopLiveness check = new EventLoopLiveness(vertx, Duration.ofSeconds(1));
        check.start();
        CountDownLatch release = new CountDownLatch(1);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
            EventExecutor first = vertx.nettyEventLoopGroup().iterator().next();
            first.execute(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS); // a wedged loop, on purpose
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> check.call().getStatus() == HealthCheckResponse.Status.DOWN);
            HealthCheckResponse down = check.call();
            assertTrue(down.getData().orElseThrow().containsKey("loop-0-waitingMs"), down.getData().toString());
            assertEquals(1, down.getData().orElseThrow().keySet().stream().filter(k -> k.endsWith("-waitingMs")).count(),
                    "only the blocked loop: " + down.getData());

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
        } finally {
            release.countDown();
            check.stop();
        }
    }
}

package dev.hookhub.delivery;

import dev.hookhub.support.Api;
import dev.hookhub.support.ProductionProcess;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery control (issue 20) holds across instances: the packaged jar started twice, the way production runs
 * it, on one PostgreSQL of this test's own, delivering to receivers on loopback that time every request.
 * <ul>
 * <li>A fifo subscription's deliveries arrive strictly in publish order, one at a time, through failed first
 * attempts and a SIGKILL of the instance holding the head in flight: only that head is sent twice.</li>
 * <li>A fifo head that keeps failing holds back everything behind it, on both instances, until its retries run
 * out or it is skipped; then the rest go, in order.</li>
 * <li>A rate limit and an in-flight bound are shared by both instances, not granted by each.</li>
 * <li>A paused subscription gets nothing while both instances run; resumed, its backlog drains in order.</li>
 * </ul>
 * Short attempt deadline (3 s), lease (4 s) and retry schedule, so that a kill and a retry cost seconds, not
 * minutes; the poll is at most 0.5 s, so both instances keep claiming (and contending) throughout.
 */
@EnabledIfSystemProperty(named = "hookhub.packaged-jar", matches = ".+",
        disabledReason = "runs from failsafe (mvn verify), after the jar is packaged")
class DeliveryControlAcrossInstancesIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** The attempt deadline and lease margin: a killed instance's lease runs out 4 s after its claim. */
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(1);
    /** Retries 0.2 s to 1 s apart: a refused first attempt goes again at once; five refusals fail a delivery in 3.4 s. */
    private static final String RETRY_SCHEDULE = "PT0.2S,PT0.4S,PT0.8S,PT1S,PT1S";
    private static final int RETRIES = RETRY_SCHEDULE.split(",").length;
    /** How long requests are held at the receiver with the in-flight bound reached: within the attempt deadline. */
    private static final Duration HOLD = Duration.ofMillis(1500);
    /** What an attempt's start and its predecessor's end, read back from delivery_attempt, may disagree by. */
    private static final Duration CLOCK_SLACK = Duration.ofMillis(5);

    private static final String ENCRYPTION_KEY = ProductionProcess.randomBase64(32);
    private static final KeyPair TOKEN_KEYS = ProductionProcess.ecKeyPair();

    private static EmbeddedPostgres database;
    /** The two instances running now, by name; a killed one is replaced by a fresh one with the next name. */
    private static final Map<String, ProductionProcess> running = new LinkedHashMap<>();
    private static final List<ProductionProcess> started = new ArrayList<>();
    /** Every instance's pid and name, for the receivers to tell who sent a request. */
    private static final Map<Long, String> senders = new ConcurrentHashMap<>();
    private static char nextName = 'a';

    @BeforeAll
    static void startDatabase() throws IOException {
        database = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    @AfterAll
    static void stopAll() throws IOException {
        started.forEach(ProductionProcess::close);
        if (database != null) {
            database.close();
        }
        RestAssured.reset();
    }

    /** Two live instances before each test: a test that killed one leaves it to be replaced here. */
    @BeforeEach
    void twoInstances() throws IOException {
        running.values().removeIf(instance -> !instance.process().isAlive());
        while (running.size() < 2) {
            String name = String.valueOf(nextName++);
            ProductionProcess instance = ProductionProcess.startAlone("delivery-control-" + name, settings());
            started.add(instance);
            running.put(name, instance);
            senders.put(instance.process().pid(), name);
        }
        RestAssured.port = port(instances().get(0));
    }

    @Test
    void aFifoSubscriptionGetsItsEventsInPublishOrderOneAtATimeThroughFailuresAndAKill() throws Exception {
        int events = 60;
        // Every 7th event's first attempt is refused (retried 0.2 s later); 100 ms a request: the drain takes 7 s or
        // more, longer than publishing, so it is still under way when publishing ends.
        try (TimedReceiver receiver = new TimedReceiver(Duration.ofMillis(100),
                (n, nth) -> n % 7 == 6 && nth == 1 ? 503 : 200, senders)) {
            Api.Tenant tenant = Api.tenant();
            UUID subscription = subscribe(tenant, "fifo", receiver, "ordered.event");
            control(tenant, subscription, Map.of("ordering", "fifo"));

            // One after another, each answered before the next, alternating instances: publish order is this order.
            // The first deliveries go while the later events are published.
            Map<UUID, Integer> numbers = new HashMap<>();
            for (int n = 0; n < events; n++) {
                numbers.put(publish(instances().get(n % 2), tenant, "ordered.event", n, 1), n);
            }

            // The next head to arrive (one answered 200) is held at the receiver; its sender dies holding its lease.
            int seen = receiver.arrivals().stream().mapToInt(TimedReceiver.Arrival::event).max().orElse(-1);
            TimedReceiver.Held held = receiver.hold(1, (n, nth) -> n > seen && nth == 1 && n % 7 != 6)
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS).get(0);
            int killedHead = held.event();
            String killed = held.sender();
            assertTrue(running.containsKey(killed), "event " + killedHead + " came from a hookhub instance, not " + killed);
            running.get(killed).process().destroyForcibly().waitFor();
            long killedAt = System.nanoTime();
            receiver.release();
            // Released within the attempt's deadline: the survivor re-sends it because its sender died, not because the
            // hold outlasted the lease (which would be at-least-once too, but not what this test is about).
            assertTrue(killedAt - held.since() < TIMEOUT.toNanos(), "killed " + (killedAt - held.since()) / 1e9
                    + " s after the head arrived");

            await("every delivery succeeded").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                            subscription) == events);
            List<TimedReceiver.Arrival> arrivals = receiver.arrivals();
            String trace = trace(arrivals);

            // Publish order, one at a time, as the receiver saw it.
            assertEquals(1, receiver.mostInProgress(), "one request at a time, but " + receiver.busiest() + ": " + trace);
            assertInPublishOrder(arrivals, events, trace);
            // Duplicates only where at-least-once allows: the head cut off by the kill, sent again by the survivor.
            for (int n = 0; n < events; n++) {
                int expected = 1 + (n % 7 == 6 ? 1 : 0) + (n == killedHead ? 1 : 0);
                int k = n;
                assertEquals(expected, arrivals.stream().filter(a -> a.event() == k).count(),
                        "requests for event " + n + ": " + trace);
            }
            List<TimedReceiver.Arrival> head = arrivals.stream().filter(a -> a.event() == killedHead).toList();
            assertEquals(killed, head.get(0).sender(), trace);
            assertNotEquals(killed, head.get(1).sender(), "the survivor sent the cut-off head again: " + trace);

            // And as the database recorded it: every delivery succeeded, attempts counted as sent, attempt rows
            // (the killed instance recorded nothing of its last) one after another, successes in publish order.
            Map<Integer, Integer> sent = arrivals.stream().collect(Collectors.toMap(TimedReceiver.Arrival::event, a -> 1,
                    Integer::sum, TreeMap::new));
            assertEquals(sent, attemptsPerDelivery(subscription, numbers), "delivery.attempts per event");
            List<Attempt> recorded = attempts(subscription, numbers);
            assertEquals(arrivals.size() - 1, recorded.size(), "attempt rows: every request but the killed one's");
            assertRecordedInOrder(recorded, events);

            System.out.printf("fifo: %d events, %d requests (%s); head %d held by %s, killed, re-sent by %s %.1f s later;"
                            + " at most %d at once%n", events, arrivals.size(), bySender(arrivals), killedHead, killed,
                    head.get(1).sender(), (head.get(1).arrivedAt() - killedAt) / 1e9, receiver.mostInProgress());
        }
    }

    @Test
    void aFifoHeadThatKeepsFailingHoldsBackTheRestOnBothInstancesUntilItsRetriesRunOut() throws Exception {
        int events = 10;
        int attempts = 1 + RETRIES;
        try (TimedReceiver receiver = new TimedReceiver(Duration.ofMillis(20), (n, nth) -> n == 0 ? 500 : 200, senders)) {
            Api.Tenant tenant = Api.tenant();
            UUID subscription = subscribe(tenant, "blocked", receiver, "blocked.event");
            control(tenant, subscription, Map.of("ordering", "fifo"));
            Map<UUID, Integer> numbers = new HashMap<>();
            for (int n = 0; n < events; n++) {
                numbers.put(publish(instances().get(n % 2), tenant, "blocked.event", n, 1), n);
            }

            await("the head failed, the rest succeeded").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery where subscription_id = ? and status in ('succeeded',"
                            + " 'failed')", subscription) == events);
            assertEquals(attempts, attemptsPerDelivery(subscription, numbers).get(0), "the head's attempts");
            assertEquals(1, count("select count(*) from delivery where subscription_id = ? and status = 'failed'",
                    subscription), "only the head failed");

            // Its every retry first, while nothing behind it went on either instance; then the rest, in order.
            List<TimedReceiver.Arrival> arrivals = receiver.arrivals();
            String trace = trace(arrivals);
            List<Integer> expected = new ArrayList<>(Collections.nCopies(attempts, 0));
            expected.addAll(IntStream.range(1, events).boxed().toList());
            assertEquals(expected, arrivals.stream().map(TimedReceiver.Arrival::event).toList(), trace);
            assertTrue(arrivals.get(attempts).arrivedAt() >= arrivals.get(attempts - 1).answeredAt(),
                    "event 1 went before the head's last attempt was answered: " + trace);
            assertEquals(1, receiver.mostInProgress(), "one request at a time, but " + receiver.busiest() + ": " + trace);
            System.out.printf("blocked head: %d attempts of event 0 over %.1f s, then %d in order (%s)%n", attempts,
                    (arrivals.get(attempts - 1).arrivedAt() - arrivals.get(0).arrivedAt()) / 1e9, events - 1,
                    bySender(arrivals));
        }
    }

    @Test
    void aSkippedHeadLetsTheRestGoInOrderAndNothingBehindItWentBefore() throws Exception {
        int events = 10;
        // The head is refused with an hour's Retry-After: blocked until it is skipped.
        try (TimedReceiver receiver = new TimedReceiver(Duration.ofMillis(20), (n, nth) -> n == 0 ? 503 : 200, senders)
                .retryAfter(Duration.ofHours(1))) {
            Api.Tenant tenant = Api.tenant();
            UUID subscription = subscribe(tenant, "skipped", receiver, "skipped.event");
            control(tenant, subscription, Map.of("ordering", "fifo"));
            Map<UUID, Integer> numbers = new HashMap<>();
            for (int n = 0; n < events; n++) {
                numbers.put(publish(instances().get(n % 2), tenant, "skipped.event", n, 1), n);
            }
            await("the head's refused attempt recorded").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery_attempt where subscription_id = ?", subscription) == 1);
            await("nothing behind the blocked head for 1 s").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertEquals(1, receiver.count(), trace(receiver.arrivals())));

            // Skipped through the instance that did not create the subscription; the rest drain, in order.
            String head = receiver.arrivals().get(0).webhookId().substring("msg_".length());
            long skipping = System.nanoTime();
            given().port(port(instances().get(1))).header("Authorization", tenant.bearer())
                    .post("/v1/deliveries/" + head + "/skip").then().statusCode(200)
                    .body("id", equalTo(head)).body("status", equalTo("cancelled"));
            await("the rest succeeded").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                            subscription) == events - 1);

            List<TimedReceiver.Arrival> arrivals = receiver.arrivals();
            String trace = trace(arrivals);
            assertEquals(IntStream.range(0, events).boxed().toList(),
                    arrivals.stream().map(TimedReceiver.Arrival::event).toList(), trace);
            assertTrue(arrivals.get(1).arrivedAt() >= skipping,
                    "event 1 went before the skip: " + trace);
            assertEquals(1, receiver.mostInProgress(), "one request at a time, but " + receiver.busiest() + ": " + trace);
            assertEquals(1, count("select count(*) from delivery where subscription_id = ? and status = 'cancelled'"
                    + " and attempts = 1", subscription), "the skipped head: cancelled after its one attempt");
            System.out.printf("skipped head: nothing behind it for 1 s, then %d in order (%s)%n", events - 1,
                    bySender(arrivals));
        }
    }

    @Test
    void aRateLimitAndAnInFlightBoundAreSharedByBothInstances() throws Exception {
        int events = 60;
        int rate = 10;
        try (TimedReceiver paced = new TimedReceiver(Duration.ZERO, (n, nth) -> 200, senders);
                TimedReceiver bounded = new TimedReceiver(Duration.ofMillis(200), (n, nth) -> 200, senders)) {
            Api.Tenant tenant = Api.tenant();
            UUID rateLimited = subscribe(tenant, "paced", paced, "burst.event");
            UUID inFlightBound = subscribe(tenant, "bounded", bounded, "burst.event");
            // Paused while the events are published, so that all are due at once however slowly publishing goes
            // (a cold instance publishes at a few dozen a second: as slow as the limit, it would hide a broken one).
            control(tenant, rateLimited, Map.of("rateLimit", rate, "paused", true));
            control(tenant, inFlightBound, Map.of("maxInFlight", 2, "paused", true));
            ExecutorService publishers = Executors.newFixedThreadPool(8);
            try {
                List<Future<UUID>> published = new ArrayList<>();
                for (int n = 0; n < events; n++) {
                    int k = n;
                    published.add(publishers.submit(() -> publish(instances().get(k % 2), tenant, "burst.event", k, 2)));
                }
                for (Future<UUID> f : published) {
                    f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                }
            } finally {
                publishers.shutdown();
            }
            // The bounded subscription's first two requests are held: with its bound reached, whoever holds them,
            // neither instance may send a third, though both claim meanwhile (each polls at least every 0.5 s).
            CompletableFuture<List<TimedReceiver.Held>> atBound = bounded.hold(2, (n, nth) -> true);
            control(tenant, rateLimited, Map.of("paused", false));
            control(tenant, inFlightBound, Map.of("paused", false));
            List<String> holders = atBound.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).stream()
                    .map(TimedReceiver.Held::sender).toList();
            await("no third request while two are held").during(HOLD).atMost(HOLD.plusSeconds(1))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertEquals(2, bounded.mostInProgress(), "in progress at once: " + bounded.busiest()));
            bounded.release();
            await("every delivery succeeded").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery where subscription_id in (?, ?) and status = 'succeeded'",
                            rateLimited, inFlightBound) == 2L * events);

            // Rate: one second's worth at once after an idle second, then the rate; so within any span of t seconds at
            // most rate x (t + 1) attempts start (README, "Delivery control"). Checked on the attempts' starts as the
            // instances recorded them (+1 for the time between a claim and its attempt's start), and on the arrivals,
            // which a new connection or a payload's first decryption can delay by a few hundred ms and so bunch up.
            List<TimedReceiver.Arrival> arrivals = paced.arrivals();
            assertEachOnce(arrivals, events);
            List<Long> starts = attemptStarts(rateLimited);
            double drain = (starts.get(starts.size() - 1) - starts.get(0)) / 1e9;
            System.out.printf("rate limit %d/s: %d attempts in %.2f s (%s), at most %d started and %d arrived within a"
                            + " second%n", rate, starts.size(), drain, bySender(arrivals), mostWithin(starts, Duration.ofSeconds(1)),
                    mostWithin(arrivedAt(arrivals), Duration.ofSeconds(1)));
            assertEquals(events, starts.size(), "attempt rows");
            assertAtMostRatePlusBurst(starts, rate, Duration.ZERO, "started");
            assertAtMostRatePlusBurst(arrivedAt(arrivals), rate, Duration.ofMillis(500), "arrived");
            assertBothInstancesSent(arrivals, "the rate-limited subscription");

            // In-flight bound: never more than 2 requests at the receiver, whichever instances sent them.
            List<TimedReceiver.Arrival> boundedArrivals = bounded.arrivals();
            assertEachOnce(boundedArrivals, events);
            System.out.printf("max in flight 2: %d attempts (%s; the first two, held %.1f s, from %s), at most %d at once%n",
                    boundedArrivals.size(), bySender(boundedArrivals), HOLD.toMillis() / 1e3, holders,
                    bounded.mostInProgress());
            assertTrue(bounded.mostInProgress() <= 2, "requests in progress at once: " + bounded.busiest());
        }
    }

    @Test
    void aPausedSubscriptionGetsNothingFromEitherInstanceAndResumedItsBacklogArrivesInOrder() throws Exception {
        int events = 20;
        try (TimedReceiver pausedReceiver = new TimedReceiver(Duration.ofMillis(20), (n, nth) -> 200, senders);
                TimedReceiver otherReceiver = new TimedReceiver(Duration.ZERO, (n, nth) -> 200, senders)) {
            Api.Tenant tenant = Api.tenant();
            UUID paused = subscribe(tenant, "paused", pausedReceiver, "held.event");
            UUID other = subscribe(tenant, "other", otherReceiver, "held.event");
            control(tenant, paused, Map.of("ordering", "fifo", "paused", true));

            for (int n = 0; n < events; n++) {
                publish(instances().get(n % 2), tenant, "held.event", n, 2);
            }
            // The workers are live: the other subscription of the same events gets them all.
            await("the unpaused subscription's deliveries").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                            other) == events);
            await("nothing attempted for 2 s").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                        assertEquals(0, pausedReceiver.count(), "requests to the paused subscription: "
                                + trace(pausedReceiver.arrivals()));
                        assertEquals(events, count("select count(*) from delivery where subscription_id = ?"
                                + " and status = 'queued' and attempts = 0", paused), "its deliveries queued, unattempted");
                        assertEquals(0, count("select count(*) from delivery_attempt where subscription_id = ?", paused));
                    });
            assertTrue(instances().stream().allMatch(i -> i.process().isAlive()), "both instances ran throughout");
            // As a user sees it, through the other instance than the one that paused it.
            Api.getSubscription(tenant, paused).then().statusCode(200).body("paused", equalTo(true))
                    .body("held", equalTo(events));

            control(tenant, paused, Map.of("paused", false));
            await("the resumed subscription's deliveries").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> count("select count(*) from delivery where subscription_id = ? and status = 'succeeded'",
                            paused) == events);
            List<TimedReceiver.Arrival> arrivals = pausedReceiver.arrivals();
            String trace = trace(arrivals);
            assertEachOnce(arrivals, events);
            assertInPublishOrder(arrivals, events, trace);
            assertEquals(1, pausedReceiver.mostInProgress(), "one request at a time, but " + pausedReceiver.busiest()
                    + ": " + trace);
            System.out.printf("pause: nothing for 2 s while the other subscription got %d; resumed, %d in order (%s)%n",
                    otherReceiver.count(), arrivals.size(), bySender(arrivals));
        }
    }

    // ---- Delivery control: the one place the test sets it ----

    /**
     * Sets a subscription's delivery control through /v1, given as its fields {@code ordering}, {@code rateLimit},
     * {@code maxInFlight} and {@code paused}: PATCH for the settings, POST .../pause or .../resume for {@code paused};
     * through the second instance (the subscription was made through the first), each answer showing what was set.
     */
    private static void control(Api.Tenant tenant, UUID subscription, Map<String, Object> fields) {
        int port = port(instances().get(1));
        Map<String, Object> settings = new HashMap<>(fields);
        Object paused = settings.remove("paused");
        if (!settings.isEmpty()) {
            Map<String, Object> view = given().port(port).header("Authorization", tenant.bearer())
                    .contentType(ContentType.JSON).body(settings).patch("/v1/subscriptions/" + subscription)
                    .then().statusCode(200).extract().jsonPath().getMap("");
            settings.forEach((field, value) -> assertEquals(value, view.get(field), field + " after PATCH"));
        }
        if (paused != null) {
            given().port(port).header("Authorization", tenant.bearer())
                    .post("/v1/subscriptions/" + subscription + (Boolean.TRUE.equals(paused) ? "/pause" : "/resume"))
                    .then().statusCode(200).body("paused", equalTo(paused));
        }
    }

    // ---- What the receivers saw ----

    /**
     * Strict publish order, one at a time: event numbers never go back, every event got a 2xx, and no request for
     * event k+1 arrived before the answer to event k's last successful request began.
     */
    private static void assertInPublishOrder(List<TimedReceiver.Arrival> arrivals, int events, String trace) {
        for (int i = 1; i < arrivals.size(); i++) {
            assertTrue(arrivals.get(i).event() >= arrivals.get(i - 1).event(), "out of publish order at request " + i
                    + ": " + trace);
        }
        Map<Integer, Long> succeededAt = new HashMap<>();
        for (TimedReceiver.Arrival a : arrivals) {
            if (a.event() > 0) {
                Long previous = succeededAt.get(a.event() - 1);
                assertTrue(previous != null && a.arrivedAt() >= previous, "event " + a.event() + " was sent before event "
                        + (a.event() - 1) + " had succeeded: " + trace);
            }
            if (a.succeeded()) {
                succeededAt.put(a.event(), a.answeredAt());
            }
        }
        assertEquals(events, succeededAt.size(), "events answered 2xx: " + trace);
    }

    private static void assertEachOnce(List<TimedReceiver.Arrival> arrivals, int events) {
        Map<Integer, Long> perEvent = arrivals.stream().collect(Collectors.groupingBy(TimedReceiver.Arrival::event,
                TreeMap::new, Collectors.counting()));
        assertEquals(events, perEvent.size(), "events received: " + perEvent.keySet());
        assertTrue(perEvent.values().stream().allMatch(c -> c == 1), "each sent once by live instances: " + perEvent);
    }

    /** Two instances enforcing a limit each would pass if one sent alone: both must have sent, or nothing was shown. */
    private static void assertBothInstancesSent(List<TimedReceiver.Arrival> arrivals, String what) {
        Set<String> from = arrivals.stream().map(TimedReceiver.Arrival::sender).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(running.keySet()), from, "both instances sent to " + what + " (the test's premise)");
    }

    /**
     * No more than {@code rate x (t + 1 + slack)} + 1 of these times (ns, sorted) within any span of t seconds: the
     * documented bound, with slack for how much later than their start the times may have been taken.
     */
    private static void assertAtMostRatePlusBurst(List<Long> times, int rate, Duration slack, String what) {
        for (int i = 0; i < times.size(); i++) {
            for (int j = i; j < times.size(); j++) {
                double span = (times.get(j) - times.get(i)) / 1e9;
                int n = j - i + 1;
                assertTrue(n <= rate * (span + 1 + slack.toMillis() / 1e3) + 1, n + " attempts " + what + " within "
                        + span + " s, from the " + (i + 1) + "th: " + timeline(times));
            }
        }
    }

    /** The most of these times (ns, sorted) within any window of this length. */
    private static int mostWithin(List<Long> times, Duration window) {
        int most = 0;
        for (int i = 0, j = 0; j < times.size(); j++) {
            while (times.get(j) - times.get(i) >= window.toNanos()) {
                i++;
            }
            most = Math.max(most, j - i + 1);
        }
        return most;
    }

    private static List<Long> arrivedAt(List<TimedReceiver.Arrival> arrivals) {
        return arrivals.stream().map(TimedReceiver.Arrival::arrivedAt).toList();
    }

    private static String bySender(List<TimedReceiver.Arrival> arrivals) {
        return arrivals.stream().collect(Collectors.groupingBy(TimedReceiver.Arrival::sender, TreeMap::new,
                Collectors.counting())).entrySet().stream().map(e -> e.getValue() + " from " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    /** Each request as event/arrival:status@sender. */
    private static String trace(List<TimedReceiver.Arrival> arrivals) {
        return arrivals.stream().map(a -> a.event() + "/" + a.nth() + ":" + a.status() + "@" + a.sender())
                .collect(Collectors.joining(" "));
    }

    /** Times (ns) in ms from the first. */
    private static String timeline(List<Long> times) {
        long first = times.get(0);
        return times.stream().map(t -> String.valueOf((t - first) / 1_000_000)).collect(Collectors.joining(" ", "[", "] ms"));
    }

    // ---- What the database recorded ----

    private record Attempt(int event, Instant start, Duration duration, Integer status) {
        boolean succeeded() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** The subscription's attempt history in the order the attempts started. */
    private static List<Attempt> attempts(UUID subscription, Map<UUID, Integer> numbers) throws SQLException {
        List<Attempt> attempts = new ArrayList<>();
        try (Connection c = database.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement("select event_id, attempted_at, duration_ms, status_code"
                        + " from delivery_attempt where subscription_id = ? order by attempted_at, id")) {
            s.setObject(1, subscription);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    attempts.add(new Attempt(numbers.get(rs.getObject(1, UUID.class)), rs.getTimestamp(2).toInstant(),
                            Duration.ofMillis(rs.getInt(3)), (Integer) rs.getObject(4)));
                }
            }
        }
        return attempts;
    }

    /** Attempts one after another (each starts once the one before ended), event numbers never back, successes 0..n-1. */
    private static void assertRecordedInOrder(List<Attempt> attempts, int events) {
        String trace = attempts.stream().map(a -> a.event() + ":" + a.status()).collect(Collectors.joining(" "));
        for (int i = 1; i < attempts.size(); i++) {
            Attempt before = attempts.get(i - 1);
            Attempt a = attempts.get(i);
            assertTrue(a.event() >= before.event(), "recorded out of publish order at attempt " + i + ": " + trace);
            Instant ended = before.start().plus(before.duration()).minus(CLOCK_SLACK);
            assertTrue(!a.start().isBefore(ended), "attempt " + i + " (event " + a.event() + ") started at " + a.start()
                    + ", before the one before it ended at " + before.start().plus(before.duration()) + ": " + trace);
        }
        assertEquals(IntStream.range(0, events).boxed().toList(),
                attempts.stream().filter(Attempt::succeeded).map(Attempt::event).toList(), "successful attempts: " + trace);
    }

    /** When the subscription's attempts started, as the instances recorded them: ns since the epoch, in order. */
    private static List<Long> attemptStarts(UUID subscription) throws SQLException {
        List<Long> starts = new ArrayList<>();
        try (Connection c = database.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement("select attempted_at from delivery_attempt where subscription_id = ?"
                        + " order by attempted_at")) {
            s.setObject(1, subscription);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Instant at = rs.getTimestamp(1).toInstant();
                    starts.add(at.getEpochSecond() * 1_000_000_000L + at.getNano());
                }
            }
        }
        return starts;
    }

    private static Map<Integer, Integer> attemptsPerDelivery(UUID subscription, Map<UUID, Integer> numbers)
            throws SQLException {
        Map<Integer, Integer> attempts = new TreeMap<>();
        try (Connection c = database.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement("select event_id, attempts from delivery where subscription_id = ?")) {
            s.setObject(1, subscription);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    attempts.put(numbers.get(rs.getObject(1, UUID.class)), rs.getInt(2));
                }
            }
        }
        return attempts;
    }

    private static long count(String sql, Object... args) throws SQLException {
        try (Connection c = database.getPostgresDatabase().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ---- Instances, subscriptions, events ----

    /** Both instances share the database, the encryption key (signing secrets, data keys) and the token keys. */
    private static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + database.getPort() + "/postgres");
        settings.put("QUARKUS_DATASOURCE_JDBC_URL", database.getJdbcUrl("postgres", "postgres"));
        settings.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        settings.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        settings.put("HOOKHUB_ADMIN_TOKEN", Api.ADMIN_TOKEN);
        settings.put("HOOKHUB_ENCRYPTION_KEY", ENCRYPTION_KEY);
        settings.put("HOOKHUB_TOKEN_SIGNING_KEY", Base64.getEncoder().encodeToString(TOKEN_KEYS.getPrivate().getEncoded()));
        settings.put("HOOKHUB_TOKEN_PUBLIC_KEY", Base64.getEncoder().encodeToString(TOKEN_KEYS.getPublic().getEncoded()));
        settings.put("HOOKHUB_DELIVERY_ALLOW_PRIVATE_TARGETS", "true");
        settings.put("HOOKHUB_DELIVERY_TIMEOUT", TIMEOUT.toString());
        settings.put("HOOKHUB_DELIVERY_LEASE_MARGIN", LEASE_MARGIN.toString());
        settings.put("HOOKHUB_DELIVERY_RETRY_SCHEDULE", RETRY_SCHEDULE);
        settings.put("HOOKHUB_DELIVERY_MAX_POLL_INTERVAL", "PT0.5S");
        return settings;
    }

    private static List<ProductionProcess> instances() {
        return List.copyOf(running.values());
    }

    private static int port(ProductionProcess instance) {
        return URI.create(instance.url()).getPort();
    }

    private static UUID subscribe(Api.Tenant tenant, String name, TimedReceiver receiver, String type) {
        return UUID.fromString((String) Api.createSubscription(tenant, Map.of("name", name, "url", receiver.url("/" + name),
                "events", List.of(type))).get("id"));
    }

    /** Publishes event number n (its payload {@code {"n": n}}) through this instance, answered 202. */
    private static UUID publish(ProductionProcess instance, Api.Tenant tenant, String type, int n, int deliveries) {
        var answer = given().port(port(instance)).header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", Map.of("n", n))).post("/v1/events")
                .then().statusCode(202).extract();
        assertEquals(deliveries, answer.<Integer>path("deliveries"), "deliveries queued for event " + n);
        return UUID.fromString(answer.path("id"));
    }
}

package dev.hookhub;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hookhub.support.ProductionProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hostile input against the packaged jar as production runs it ({@code -XX:+UseSerialGC -Xmx128m},
 * {@code MALLOC_ARENA_MAX=2}, prod profile): 100 MessagePack length bombs and deeply nested JSON and
 * MessagePack bodies, 20 in flight, at the routes that read a body with and without credentials, while
 * another client keeps reading a subscription. Every bomb gets a 4xx in time, every read a fast 200, the
 * process stays ready and alive, and its resident memory stays bounded.
 */
@EnabledIfSystemProperty(named = "hookhub.packaged-jar", matches = ".+",
        disabledReason = "runs from failsafe (mvn verify), after the jar is packaged")
class ProductionLimitsIT {

    private static final int BOMBS = 100;
    private static final int IN_FLIGHT = 20;
    private static final Duration BOMB_BOUND = Duration.ofSeconds(5);
    private static final Duration READ_BOUND = Duration.ofSeconds(1);
    private static final long RSS_GROWTH_BOUND_KB = 150 * 1024;
    private static final String MSGPACK = "application/x-msgpack";
    private static final String JSON = "application/json";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private static ProductionProcess hookhub;

    @BeforeAll
    static void start() throws IOException, NoSuchAlgorithmException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "reads resident memory from Linux's /proc");
        hookhub = ProductionProcess.start("hookhub-production-limits-it", Map.of());
    }

    @AfterAll
    static void stop() {
        if (hookhub != null) {
            hookhub.close();
        }
    }

    /** A hostile body and the Content-Type it is sent as. */
    private record Body(String name, String contentType, byte[] bytes) {
    }

    /** A route that reads a body, and the headers (credentials or not) it is called with. */
    private record Route(String name, String method, String path, Map<String, String> headers) {
    }

    /** What one bomb got: a status, or the error that replaced it. */
    private record Answer(Body body, Route route, int status, long millis, String error) {
        String combination() {
            return body.name() + " -> " + route.name();
        }
    }

    @Test
    void hostileBodiesGet4xxWhileReadsStayFastMemoryBoundedAndTheServiceReady() throws Exception {
        // Set up through the API: an org, an API client, its token, a subscription, read once.
        // A name of its own: CI's second run shares one PostgreSQL with the other ITs.
        Map<String, Object> org = send("POST", "/v1/admin/orgs", hookhub.adminToken(),
                Map.of("name", "limits-" + UUID.randomUUID()), 201);
        String orgId = (String) org.get("id");
        int orgNumber = ((Number) org.get("number")).intValue();
        Map<String, Object> client = send("POST", "/v1/admin/orgs/" + orgId + "/clients", hookhub.adminToken(),
                Map.of("name", "limits", "roles", List.of("Admin")), 201);
        String token = (String) send("POST", "/oauth/token", null, Map.of("grant_type", "client_credentials",
                "client_id", client.get("clientId"), "client_secret", client.get("clientSecret")), 200).get("access_token");
        Map<String, Object> subscription = send("POST", "/v1/subscriptions", token, Map.of("name", "limits",
                "url", "https://receiver.example.com/hooks/limits", "events", List.of("order.created")), 201);
        String subscriptionId = (String) subscription.get("id");
        int subscriptionNumber = ((Number) subscription.get("number")).intValue();
        assertEquals(subscriptionId, send("GET", "/v1/subscriptions/" + subscriptionId, token, null, 200).get("id"));

        List<Body> bodies = bodies();
        List<Route> routes = List.of(
                new Route("POST /oauth/token (no credentials)", "POST", "/oauth/token", Map.of()),
                new Route("POST /v1/subscriptions", "POST", "/v1/subscriptions", Map.of("Authorization", "Bearer " + token)),
                new Route("POST /v1/events", "POST", "/v1/events", Map.of("Authorization", "Bearer " + token)),
                new Route("DELETE /hooks/{number} (CRO)", "DELETE", "/hooks/" + subscriptionNumber,
                        Map.of("Authorization", "Bearer a.b", "x-tenant-id", String.valueOf(orgNumber))),
                new Route("POST /sync/.../delete (ServiceStack)", "POST",
                        "/sync/webhooks/subscriptions/" + subscriptionId + "/delete", Map.of()),
                new Route("POST /{orgId}/login/token (Identity Cloud)", "POST", "/" + orgId + "/login/token", Map.of()));

        // Reads before the flood: what the machine itself gives, for the figures printed.
        List<Long> quietReadMillis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            send("GET", "/v1/subscriptions/" + subscriptionId, token, null, 200);
            quietReadMillis.add(elapsedMillis(started));
        }

        Path status = Path.of("/proc", String.valueOf(hookhub.process().pid()), "status");
        long rssBefore = residentKb(status);
        AtomicLong rssPeak = new AtomicLong(rssBefore);
        List<Long> readMillis = Collections.synchronizedList(new ArrayList<>());
        List<String> readFailures = Collections.synchronizedList(new ArrayList<>());
        List<String> healthFailures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong healthPolls = new AtomicLong();
        AtomicBoolean flooding = new AtomicBoolean(true);

        ScheduledExecutorService monitors = Executors.newScheduledThreadPool(2);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        ExecutorService flood = Executors.newFixedThreadPool(IN_FLIGHT);
        List<Answer> answers;
        long floodMillis;
        try {
            monitors.scheduleAtFixedRate(() -> rssPeak.accumulateAndGet(residentKb(status), Math::max),
                    0, 20, TimeUnit.MILLISECONDS);
            monitors.scheduleAtFixedRate(() -> {
                healthPolls.incrementAndGet();
                String failure = healthFailure();
                if (failure != null) {
                    healthFailures.add(failure);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            // The second client: one read after another for the whole flood.
            Future<?> reads = reader.submit(() -> {
                HttpRequest read = HttpRequest.newBuilder(URI.create(hookhub.url() + "/v1/subscriptions/" + subscriptionId))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build();
                do {
                    long started = System.nanoTime();
                    try {
                        int code = HTTP.send(read, HttpResponse.BodyHandlers.discarding()).statusCode();
                        long millis = elapsedMillis(started);
                        readMillis.add(millis);
                        if (code != 200 || millis >= READ_BOUND.toMillis()) {
                            readFailures.add(code + " in " + millis + " ms");
                        }
                    } catch (IOException e) {
                        readFailures.add(e + " after " + elapsedMillis(started) + " ms");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                } while (flooding.get());
            });

            long floodStarted = System.nanoTime();
            List<Future<Answer>> pending = new ArrayList<>();
            for (int i = 0; i < BOMBS; i++) {
                Body body = bodies.get(i % bodies.size());
                Route route = routes.get((i / bodies.size()) % routes.size());
                pending.add(flood.submit(() -> throwBomb(body, route)));
            }
            answers = new ArrayList<>();
            for (Future<Answer> answer : pending) {
                answers.add(answer.get(BOMBS * BOMB_BOUND.toSeconds(), TimeUnit.SECONDS));
            }
            floodMillis = elapsedMillis(floodStarted);
            flooding.set(false);
            reads.get(30, TimeUnit.SECONDS);
        } finally {
            flooding.set(false);
            flood.shutdownNow();
            reader.shutdownNow();
            monitors.shutdown(); // lets a health poll under way finish instead of interrupting it
            monitors.awaitTermination(10, TimeUnit.SECONDS);
        }
        boolean alive = hookhub.process().isAlive();
        String healthAfter = alive ? healthFailure() : "process exited with " + hookhub.process().exitValue();
        rssPeak.accumulateAndGet(alive ? residentKb(status) : 0, Math::max);

        Map<String, List<Answer>> byCombination = answers.stream()
                .collect(Collectors.groupingBy(Answer::combination, TreeMap::new, Collectors.toList()));
        List<String> bombFailures = byCombination.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(a -> a.error() != null || a.status() < 400 || a.status() > 499
                        || a.millis() >= BOMB_BOUND.toMillis()))
                .map(e -> e.getKey() + ": " + summary(e.getValue())).toList();
        long rssGrowth = rssPeak.get() - rssBefore;
        report(byCombination, answers.size(), floodMillis, rssBefore, rssPeak.get(), quietReadMillis, readMillis,
                readFailures, healthPolls.get(), healthFailures);

        assertTrue(alive, "the process is alive after the flood; see " + hookhub.log());
        assertNull(healthAfter, "/q/health/ready after the flood");
        assertTrue(bombFailures.isEmpty(), "every bomb answered with a 4xx within " + BOMB_BOUND + "; see " + hookhub.log()
                + "\n  " + String.join("\n  ", bombFailures) + "\n");
        assertTrue(readMillis.size() > 1, "the reader kept reading during the flood: " + readMillis.size() + " reads");
        assertEquals(List.of(), readFailures, "every read a 200 within " + READ_BOUND);
        assertEquals(List.of(), healthFailures, "/q/health/ready stayed UP during the flood");
        assertTrue(rssGrowth < RSS_GROWTH_BOUND_KB, "resident memory grew by " + rssGrowth / 1024 + " MB (bound "
                + RSS_GROWTH_BOUND_KB / 1024 + " MB): " + rssBefore / 1024 + " MB before, " + rssPeak.get() / 1024 + " MB at peak");
    }

    /** The length bombs (a declared length far beyond the body) and the deep nestings. */
    private static List<Body> bodies() {
        byte[] deepArrays = new byte[15_001];
        Arrays.fill(deepArrays, 0, 15_000, (byte) 0x91);
        deepArrays[15_000] = (byte) 0xc0;
        byte[] deepJson = "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);

        // {"type": "limits.deep", "payload": [[[... 100,000 deep ... nil]]]}
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        event.write(0x82);
        writeFixStr(event, "type");
        writeFixStr(event, "limits.deep");
        writeFixStr(event, "payload");
        for (int i = 0; i < 100_000; i++) {
            event.write(0x91);
        }
        event.write(0xc0);

        return List.of(
                new Body("msgpack bin32 1 GiB", MSGPACK, hex("c6 3f ff ff ff 00")),
                new Body("msgpack str32 1 GiB", MSGPACK, hex("db 3f ff ff ff 00")),
                new Body("msgpack ext32 1 GiB", MSGPACK, hex("c9 3f ff ff ff 01 00")),
                new Body("msgpack {name: str32 1 GiB}", MSGPACK, hex("81 a4 6e 61 6d 65 db 3f ff ff ff 00")),
                new Body("msgpack array32 2^31-1", MSGPACK, hex("dd 7f ff ff ff")),
                new Body("msgpack map32 2^31-1", MSGPACK, hex("df 7f ff ff ff")),
                new Body("msgpack 15,000-deep arrays", MSGPACK, deepArrays),
                new Body("JSON 100,000-deep [", JSON, deepJson),
                new Body("msgpack event, 100,000-deep payload", MSGPACK, event.toByteArray()));
    }

    private static Answer throwBomb(Body body, Route route) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hookhub.url() + route.path()))
                .timeout(BOMB_BOUND).header("Content-Type", body.contentType())
                .method(route.method(), HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        route.headers().forEach(request::header);
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            // A 5xx's body says what broke.
            String error = response.statusCode() >= 500 ? response.statusCode() + " " + abbreviate(response.body()) : null;
            return new Answer(body, route, response.statusCode(), elapsedMillis(started), error);
        } catch (IOException e) {
            return new Answer(body, route, 0, elapsedMillis(started), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(body, route, 0, elapsedMillis(started), "interrupted");
        }
    }

    /** Null when /q/health/ready answers 200 and UP, else what it answered. */
    private static String healthFailure() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(hookhub.url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            boolean up = response.statusCode() == 200 && response.body().replace(" ", "").contains("\"status\":\"UP\"");
            return up ? null : response.statusCode() + " " + abbreviate(response.body());
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void report(Map<String, List<Answer>> byCombination, int bombs, long floodMillis, long rssBefore,
            long rssPeak, List<Long> quietReadMillis, List<Long> readMillis, List<String> readFailures, long healthPolls,
            List<String> healthFailures) {
        List<Long> quiet = quietReadMillis.stream().sorted().toList();
        List<Long> reads;
        synchronized (readMillis) {
            reads = readMillis.stream().sorted().toList();
        }
        System.out.printf("%nProductionLimitsIT (-Xmx128m, SerialGC): %d bombs, %d in flight, in %d ms%n",
                bombs, IN_FLIGHT, floodMillis);
        System.out.printf("  RSS before %d MB, peak %d MB, growth %d MB (bound %d MB)%n", rssBefore / 1024, rssPeak / 1024,
                (rssPeak - rssBefore) / 1024, RSS_GROWTH_BOUND_KB / 1024);
        System.out.printf("  reads before the flood: %d, median %d ms, max %d ms%n", quiet.size(),
                quiet.get(quiet.size() / 2), quiet.get(quiet.size() - 1));
        if (!reads.isEmpty()) {
            System.out.printf("  reads during the flood: %d, median %d ms, max %d ms, %d failed%n", reads.size(),
                    reads.get(reads.size() / 2), reads.get(reads.size() - 1), readFailures.size());
        }
        readFailures.stream().distinct().limit(10).forEach(f -> System.out.println("    read: " + f));
        System.out.printf("  /q/health/ready: %d polls, %d not UP%n", healthPolls, healthFailures.size());
        healthFailures.stream().distinct().limit(10).forEach(f -> System.out.println("    health: " + f));
        byCombination.forEach((combination, list) -> System.out.printf("  %-82s %s%n", combination, summary(list)));
    }

    /** "{400=2}, max 951 ms", and the first error or 5xx body. */
    private static String summary(List<Answer> answers) {
        return answers.stream().map(a -> a.status() == 0 ? "error" : String.valueOf(a.status()))
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()))
                + ", max " + answers.stream().mapToLong(Answer::millis).max().orElse(0) + " ms"
                + answers.stream().map(Answer::error).filter(e -> e != null).findFirst().map(e -> ": " + e).orElse("");
    }

    /** Resident memory of the process in kB (VmRSS), 0 once it is gone. */
    private static long residentKb(Path status) {
        try {
            return Files.readAllLines(status).stream().filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }

    /** A JSON request of the setup, with a bearer token or none; returns the answer's JSON object. */
    private static Map<String, Object> send(String method, String path, String bearer, Object body, int expected) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hookhub.url() + path))
                    .timeout(Duration.ofSeconds(30)).header("Accept", JSON)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
            if (body != null) {
                request.header("Content-Type", JSON);
            }
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
            @SuppressWarnings("unchecked")
            Map<String, Object> answer = MAPPER.readValue(response.body(), Map.class);
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void writeFixStr(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        out.write(0xa0 | bytes.length);
        out.writeBytes(bytes);
    }

    private static byte[] hex(String spaced) {
        String[] parts = spaced.split(" ");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    private static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}

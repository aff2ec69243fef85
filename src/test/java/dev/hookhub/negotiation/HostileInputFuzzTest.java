package dev.hookhub.negotiation;

import dev.hookhub.negotiation.HostileRequests.Header;
import dev.hookhub.negotiation.HostileRequests.HostileRequest;
import dev.hookhub.negotiation.HostileRequests.Sub;
import dev.hookhub.negotiation.HostileRequests.Target;
import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.DeleteEffects;
import dev.hookhub.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15, hostile input: thousands of seeded hostile requests across every route and method the
 * OpenAPI document declares (path templates expanded with the run's own ids and with garbage, every
 * alternative of ServiceStack's route pattern), with malformed, truncated, deeply nested and
 * length-lying JSON, MessagePack and form bodies, odd Content-Types, bodies over the 1 MiB limit,
 * chunked bodies, odd Accept / Authorization / x-api-key / x-tenant-id / x-api-version headers, path
 * suffixes and {@code ?format=} values; sometimes with a valid credential so bodies reach the handlers.
 *
 * <p>Each answer must come within {@link #ANSWER_WITHIN}, must not be a 5xx (a 503 with Retry-After is
 * documented, API.md §8), must not carry a stack trace, must be 413 for a body over the limit on an
 * otherwise right request; the service may not allocate more than {@link #MAX_ALLOCATED_PER_REQUEST} for
 * it, and a refused request (4xx, or a 5xx) must leave the database as it was.
 * Failures are collected by class (route, body kind, outcome) and reported together at the end.
 *
 * <p>Seed: fixed by default ({@link #DEFAULT_SEED}), so CI replays the same requests. Pass
 * {@code -Dfuzz.seed=<n>} (or the variable {@code FUZZ_SEED}) to replay another run, or {@code random}
 * for a new one; the seed is printed at the start and in every failure. {@code -Dfuzz.requests=<n>}
 * sets how many requests are sent (default 4,000); {@code -Dfuzz.trace=<file>} writes one line per request
 * (status, time, bytes the service allocated, route, what was hostile in it). Not under {@code hookhub.}: the application's
 * configuration mapping refuses unknown properties under its prefix, and the test runs in its JVM.
 */
@QuarkusTest
class HostileInputFuzzTest {

    static final long DEFAULT_SEED = 15_2026L;
    static final int DEFAULT_REQUESTS = 4000;
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    /** Past this many unanswered requests the service is taken as wedged and the run stops (each costs the full wait). */
    static final int MAX_UNANSWERED = 15;
    /**
     * Most the service's threads may allocate for one request. Bodies are at most 1 MiB, and a MessagePack
     * length larger than the bytes that remain must be refused before anything is allocated (API.md §8);
     * a length bomb that does allocate (a gigabyte with a large heap, an OutOfMemoryError with a small
     * one) shows here whatever the heap of the run.
     */
    static final long MAX_ALLOCATED_PER_REQUEST = 256L * 1024 * 1024;
    static final Pattern STACK_FRAME = Pattern.compile("at [\\w$.]+\\([\\w$]+\\.java:\\d+\\)");

    @TestHTTPResource("/")
    URL base;

    @Test
    void hostileRequestsAreRefusedQuicklyAndChangeNothing() throws Exception {
        long seed = seed();
        int requests = Integer.getInteger("fuzz.requests", DEFAULT_REQUESTS);
        System.out.println("HostileInputFuzzTest: seed " + seed + ", " + requests
                + " requests (replay with -Dfuzz.seed=" + seed + ")");

        Timestamp start = (Timestamp) Database.query("select now() as t").get(0).get("t");
        RunFixtures fixtures = new RunFixtures();
        List<Target> targets = targets();
        assertTrue(targets.size() >= 20, "the OpenAPI document lists every route: " + targets);
        assertEquals(4, targets.stream().filter(t -> t.template().equals("/{route}")).count(),
                "each alternative of ServiceStack's route pattern is a target: " + targets);

        HostileRequests generator = new HostileRequests(seed, targets, fixtures);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(ANSWER_WITHIN).build();
        ServerErrors serverErrors = ServerErrors.install();
        ServerAllocation allocation = new ServerAllocation();
        String tracePath = System.getProperty("fuzz.trace");
        java.io.PrintWriter trace = tracePath == null ? null : new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(
                java.nio.file.Path.of(tracePath)), true);
        Map<String, FailureClass> failures = new TreeMap<>();
        Map<String, Integer> statuses = new TreeMap<>();
        int unanswered = 0;
        int sent = 0;
        long generating = 0;
        long sending = 0;
        long checking = 0;
        long refilling = 0;
        long began = System.nanoTime();
        try (Connection db = Database.connect()) {
            Fingerprint fingerprint = new Fingerprint(db, start);
            Map<String, Map<String, String>> before = fingerprint.take();
            for (int i = 0; i < requests && unanswered < MAX_UNANSWERED; i++) {
                long g0 = System.nanoTime();
                HostileRequest request = generator.next(i);
                serverErrors.clear();
                long allocatedBefore = allocation.serverBytes();
                long s0 = System.nanoTime();
                Answer answer = request.raw() ? sendRaw(request) : send(client, request);
                long s1 = System.nanoTime();
                long allocated = allocation.serverBytes() - allocatedBefore;
                generating += s0 - g0;
                sending += s1 - s0;
                sent++;
                String logged = serverErrors.first();
                statuses.merge(answer.status() < 0 ? "none" : Integer.toString(answer.status()), 1, Integer::sum);

                List<String> problems = new ArrayList<>();
                if (answer.status() < 0) {
                    unanswered++;
                    problems.add(answer.error());
                } else {
                    if (answer.status() >= 500 && !(answer.status() == 503 && answer.retryAfter())) {
                        problems.add(answer.status() + " answer");
                    }
                    if (request.expectTooLarge() && answer.status() != 413) {
                        problems.add(answer.status() + " instead of 413 for a body over 1 MiB");
                    }
                    if (answer.millis() > ANSWER_WITHIN.toMillis()) {
                        problems.add("answered after " + answer.millis() + " ms");
                    }
                    if (STACK_FRAME.matcher(answer.bodyText()).find()) {
                        problems.add("stack trace in the answer");
                    }
                }
                if (allocated > MAX_ALLOCATED_PER_REQUEST) {
                    problems.add("the service allocated " + allocated / (1024 * 1024) + " MiB for one request");
                }
                if (trace != null) {
                    trace.printf("%d\t%s\t%d ms\t%d KiB\t%s %s\t%s%n", i, answer.status() < 0 ? answer.error() : answer.status(),
                            answer.millis(), allocated / 1024, request.method(), request.target().path(), request.kind());
                }
                if (answer.status() >= 400) {
                    Map<String, Map<String, String>> after = fingerprint.take();
                    List<String> changed = Fingerprint.changed(before, after);
                    if (!changed.isEmpty()) {
                        problems.add("database changed by a refused request: " + String.join(", ", changed));
                        before = after;
                    }
                } else {
                    long r0 = System.nanoTime();
                    if (answer.status() >= 200 && answer.status() < 300 && fixtures.anyDeleted(db)) {
                        fixtures.refill(db, client, base.toURI());
                    }
                    refilling += System.nanoTime() - r0;
                    before = fingerprint.take();
                }
                checking += System.nanoTime() - s1;
                for (String problem : problems) {
                    String key = problem.replaceAll("\\b\\d{4,}\\b", "N") + (logged == null ? "" : " [" + loggedClass(logged) + "]")
                            + " | " + request.method() + " " + request.target().path();
                    FailureClass failure = failures.computeIfAbsent(key, k -> new FailureClass(request, answer, logged));
                    failure.count++;
                    failure.inputs.add(request.bodyKind());
                }
            }
        }
        if (trace != null) {
            trace.close();
        }
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        System.out.println("HostileInputFuzzTest: seed " + seed + ", " + sent + " requests in " + seconds + " s over "
                + targets.size() + " route methods (generating " + generating / 1_000_000 + " ms, sending " + sending / 1_000_000
                + " ms, checking the database " + checking / 1_000_000 + " ms, of which refilling slots " + refilling / 1_000_000
                + " ms); answers " + statuses);
        if (!failures.isEmpty()) {
            StringBuilder report = new StringBuilder();
            report.append(failures.size()).append(" failure classes (seed ").append(seed).append(", ").append(sent)
                    .append(" requests").append(unanswered >= MAX_UNANSWERED ? ", stopped after " + unanswered + " unanswered" : "")
                    .append("; replay with -Dfuzz.seed=").append(seed).append("):");
            failures.forEach((key, f) -> report.append("\n\n").append(f.count).append(" x ").append(key)
                    .append("\n  bodies: ").append(String.join("; ", f.inputs)).append("\n  first: ")
                    .append(f.request.describe(seed)).append("\n    -> ").append(f.answer.summary())
                    .append(f.logged == null ? "" : "\n    server logged: " + f.logged));
            System.out.println(report);
            fail(report.toString());
        }
    }

    private static long seed() {
        String value = Optional.ofNullable(System.getProperty("fuzz.seed")).orElse(System.getenv("FUZZ_SEED"));
        if (value == null || value.isBlank()) {
            return DEFAULT_SEED;
        }
        return value.equals("random") ? System.nanoTime() ^ System.currentTimeMillis() : Long.parseLong(value.trim());
    }

    private static String loggedClass(String logged) {
        int colon = logged.indexOf(':');
        return colon < 0 ? logged : logged.substring(0, colon);
    }

    /** Every method of every route in the OpenAPI document; a path parameter with a pattern of alternatives is one target each. */
    @SuppressWarnings("unchecked")
    static List<Target> targets() {
        Map<String, Object> document = given().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath().getMap("");
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
        List<Target> targets = new ArrayList<>();
        paths.forEach((template, operations) -> operations.forEach((method, value) -> {
            if (!(value instanceof Map<?, ?> operation) || method.equals("parameters")) {
                return;
            }
            List<Map<String, Object>> parameters = new ArrayList<>();
            Optional.ofNullable((List<Map<String, Object>>) operations.get("parameters")).ifPresent(parameters::addAll);
            Optional.ofNullable((List<Map<String, Object>>) operation.get("parameters")).ifPresent(parameters::addAll);
            Map<String, Object> requestBody = (Map<String, Object>) operation.get("requestBody");
            List<String> bodyTypes = requestBody == null ? List.of()
                    : List.copyOf(((Map<String, Object>) requestBody.getOrDefault("content", Map.of())).keySet());
            List<String> query = new ArrayList<>();
            List<String> headers = new ArrayList<>();
            List<String> paths1 = List.of(template);
            for (Map<String, Object> p : parameters) {
                String name = (String) p.get("name");
                switch (String.valueOf(p.get("in"))) {
                    case "query" -> query.add(name);
                    case "header" -> headers.add(name);
                    case "path" -> {
                        Object pattern = ((Map<String, Object>) p.getOrDefault("schema", Map.of())).get("pattern");
                        if (pattern != null) {
                            List<String> expanded = new ArrayList<>();
                            for (String alternative : pattern.toString().split("\\|")) {
                                paths1.forEach(t -> expanded.add(t.replace("{" + name + "}", alternative)));
                            }
                            paths1 = expanded;
                        }
                    }
                    default -> {
                    }
                }
            }
            for (String path : paths1) {
                targets.add(new Target(method.toUpperCase(Locale.ROOT), template, path, requestBody != null, bodyTypes,
                        List.copyOf(query), List.copyOf(headers)));
            }
        }));
        return targets;
    }

    // ---- Sending ----------------------------------------------------------------------------------

    /** What came back: status (-1 when nothing did, with the reason in {@code error}), time and a prefix of the body. */
    record Answer(int status, long millis, boolean retryAfter, String bodyText, String error) {
        String summary() {
            return status < 0 ? error + " after " + millis + " ms"
                    : status + " in " + millis + " ms: " + HostileRequests.escape(bodyText.length() > 300 ? bodyText.substring(0, 300) + "..." : bodyText);
        }
    }

    private Answer send(HttpClient client, HostileRequest r) {
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base.getPort() + r.rawTarget()))
                    .timeout(ANSWER_WITHIN);
            for (Header h : r.headers()) {
                builder.header(h.name(), h.value());
            }
        } catch (IllegalArgumentException e) {
            // Bytes java.net.http will not send: the socket will.
            return sendRaw(r);
        }
        HttpRequest.BodyPublisher body = r.body() == null ? HttpRequest.BodyPublishers.noBody()
                : r.chunked() ? HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(r.body()))
                : HttpRequest.BodyPublishers.ofByteArray(r.body());
        builder.method(r.method(), body);
        long t0 = System.nanoTime();
        try {
            HttpResponse<byte[]> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            byte[] bytes = response.body();
            return new Answer(response.statusCode(), millis, response.headers().firstValue("Retry-After").isPresent(),
                    new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1), null);
        } catch (HttpTimeoutException e) {
            return new Answer(-1, (System.nanoTime() - t0) / 1_000_000, false, "", "no answer within " + ANSWER_WITHIN.toMillis() + " ms");
        } catch (IOException e) {
            // java.net.http loses an answer the service gave before it read the whole request (431 to a huge
            // header, 414 to a long path, then closing): the socket still reads it.
            return sendRaw(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The request byte for byte over a plain socket (one connection, closed after the answer). */
    private Answer sendRaw(HostileRequest r) {
        long t0 = System.nanoTime();
        long deadline = t0 + ANSWER_WITHIN.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), (int) ANSWER_WITHIN.toMillis());
            socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.writeBytes((r.method() + " " + r.rawTarget() + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort()
                    + "\r\nConnection: close\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (Header h : r.headers()) {
                head.writeBytes((h.name() + ": " + h.value() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (r.body() != null) {
                head.writeBytes(("Content-Length: " + r.body().length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            head.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toByteArray());
                if (r.body() != null) {
                    out.write(r.body());
                }
                out.flush();
            } catch (IOException e) {
                // The service may answer and close before reading all of it: read what it said.
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            try {
                while ((n = in.read(buffer)) != -1 && received.size() < 1 << 20) {
                    received.write(buffer, 0, n);
                    if (System.nanoTime() > deadline) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                if (received.size() == 0) {
                    return new Answer(-1, (System.nanoTime() - t0) / 1_000_000, false, "",
                            "no answer within " + ANSWER_WITHIN.toMillis() + " ms");
                }
            } catch (IOException e) {
                if (received.size() == 0) {
                    return new Answer(-1, (System.nanoTime() - t0) / 1_000_000, false, "",
                            "connection closed without an answer (" + e.getClass().getSimpleName() + ")");
                }
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            String text = received.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.")) {
                return new Answer(-1, millis, false, text, text.isEmpty() ? "connection closed without an answer"
                        : "not an HTTP answer: " + HostileRequests.shorten(text));
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int end = text.indexOf("\r\n\r\n");
            String headers = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            return new Answer(status, millis, headers.toLowerCase(Locale.ROOT).contains("\r\nretry-after:"),
                    body.length() > 4096 ? body.substring(0, 4096) : body, null);
        } catch (IOException e) {
            return new Answer(-1, (System.nanoTime() - t0) / 1_000_000, false, "", "could not connect (" + e + ")");
        }
    }

    static final class FailureClass {
        final HostileRequest request;
        final Answer answer;
        final String logged;
        final java.util.Set<String> inputs = new java.util.TreeSet<>();
        int count;

        FailureClass(HostileRequest request, Answer answer, String logged) {
            this.request = request;
            this.answer = answer;
            this.logged = logged;
        }
    }

    /** Bytes allocated by the service's request threads (it runs in this JVM): Vert.x event loops and workers, Quarkus executors. */
    static final class ServerAllocation {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        private final Map<Long, Boolean> serving = new java.util.HashMap<>();

        long serverBytes() {
            long[] ids = threads.getAllThreadIds();
            List<Long> unknown = new ArrayList<>();
            for (long id : ids) {
                if (!serving.containsKey(id)) {
                    unknown.add(id);
                }
            }
            if (!unknown.isEmpty()) {
                for (java.lang.management.ThreadInfo info : threads.getThreadInfo(unknown.stream().mapToLong(Long::longValue).toArray())) {
                    if (info != null) {
                        String name = info.getThreadName();
                        serving.put(info.getThreadId(), name.startsWith("vert.x-") || name.startsWith("executor-thread"));
                    }
                }
            }
            long[] allocated = threads.getThreadAllocatedBytes(ids);
            long total = 0;
            for (int i = 0; i < ids.length; i++) {
                if (serving.getOrDefault(ids[i], false)) {
                    total += Math.max(0, allocated[i]);
                }
            }
            return total;
        }
    }

    // ---- What the service logged ----------------------------------------------------------------------

    /** Errors the application logs with an exception while a request runs (it runs in this JVM), to name the cause. */
    static final class ServerErrors extends Handler {
        private static ServerErrors installed;
        private final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

        static synchronized ServerErrors install() {
            if (installed == null) {
                installed = new ServerErrors();
                java.util.logging.Logger.getLogger("").addHandler(installed);
            }
            return installed;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null && record.getLevel().intValue() >= Level.WARNING.intValue() && seen.size() < 10) {
                Throwable t = record.getThrown();
                Throwable root = t;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                String message = Objects.toString(root.getMessage(), "");
                seen.add(root.getClass().getName() + ": " + (message.length() > 160 ? message.substring(0, 160) + "..." : message)
                        + (root != t ? " (in " + t.getClass().getName() + ")" : ""));
            }
        }

        void clear() {
            seen.clear();
        }

        String first() {
            return seen.peek();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    // ---- The database a refused request must leave alone ----------------------------------------------

    /**
     * The rows a refused request must leave alone, as a map per table from each row's key to an MD5 of
     * its content: the rows of the orgs created since the run began, and any row written since then.
     * Left out are the columns only the delivery worker writes (attempt history, a subscription's last
     * success / failure, a delivery's progress), so a delivery in the background never reads as a change;
     * a delivery parked until tomorrow is compared whole.
     *
     * <p>Incremental: each snapshot reads every row's key and version ({@code xmin}, new on any write), and
     * reads and hashes the content only of rows with a new version (a payload or a name may be a megabyte).
     */
    static final class Fingerprint {
        private static final String RUN_ORGS = "org_id in (select id from organization where created_at >= ?)";

        /** A table: its row key, which rows this run can reach, and the columns compared. */
        private record Table(String name, String key, String from, String columns) {
        }

        private static final List<Table> TABLES = List.of(
                new Table("organization", "id", "organization where created_at >= ?", "id, number, name, created_at"),
                new Table("api_client", "id", "api_client where created_at >= ? or " + RUN_ORGS, "*"),
                new Table("api_key", "id", "api_key where created_at >= ? or " + RUN_ORGS, "*"),
                new Table("subscription", "id", "subscription where " + RUN_ORGS,
                        "id, number, org_id, name, description, code, url, events, content_type, headers, active, version,"
                                + " owner_public_key, created_at, created_by, modified_at, modified_by, deleted_at, deleted_by"),
                new Table("signing_secret", "id", "signing_secret where subscription_id in (select id from subscription where "
                        + RUN_ORGS + ")", "*"),
                new Table("event_type", "org_id::text || ' ' || name", "event_type where " + RUN_ORGS, "*"),
                new Table("event", "id", "event where " + RUN_ORGS, "id, org_id, type, md5(payload), payload_format, idempotency_key, created_at"),
                new Table("delivery", "id", "delivery where " + RUN_ORGS, "id, event_id, subscription_id, org_id, created_at,"
                        + " case when status = 'queued' and due_at > now() + interval '1 hour' then 'parked ' || due_at::text"
                        + " else 'the worker''s' end as state"),
                new Table("audit", "id", "audit where at >= ? or " + RUN_ORGS, "*"));

        private final Connection db;
        private final Timestamp start;
        private final PreparedStatement versions;
        private final int parameters;
        /** Per table, per key: the version last read and the hash of the content at that version. */
        private final Map<String, Map<String, String[]>> known = new LinkedHashMap<>();

        Fingerprint(Connection db, Timestamp start) throws SQLException {
            this.db = db;
            this.start = start;
            List<String> parts = new ArrayList<>();
            for (Table t : TABLES) {
                parts.add("select '" + t.name() + "' as t, (" + t.key() + ")::text as k, xmin::text as v from " + t.from());
                known.put(t.name(), new java.util.HashMap<>());
            }
            this.versions = db.prepareStatement(String.join(" union all ", parts));
            this.parameters = versions.getParameterMetaData().getParameterCount();
        }

        Map<String, Map<String, String>> take() throws SQLException {
            for (int i = 1; i <= parameters; i++) {
                versions.setTimestamp(i, start);
            }
            Map<String, Map<String, String>> current = new LinkedHashMap<>();
            Map<String, List<String>> stale = new LinkedHashMap<>();
            for (Table t : TABLES) {
                current.put(t.name(), new TreeMap<>());
                stale.put(t.name(), new ArrayList<>());
            }
            try (ResultSet rs = versions.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    String key = rs.getString(2);
                    String[] seen = known.get(table).get(key);
                    if (seen == null || !seen[0].equals(rs.getString(3))) {
                        known.get(table).put(key, new String[] {rs.getString(3), null});
                        stale.get(table).add(key);
                    }
                    current.get(table).put(key, null);
                }
            }
            for (Table t : TABLES) {
                List<String> keys = stale.get(t.name());
                if (!keys.isEmpty()) {
                    try (PreparedStatement content = db.prepareStatement("select k, md5(r::text) from (select (" + t.key()
                            + ")::text as k, " + t.columns() + " from " + t.name() + " where (" + t.key() + ")::text = any(?)) r")) {
                        content.setArray(1, db.createArrayOf("text", keys.toArray()));
                        try (ResultSet rs = content.executeQuery()) {
                            while (rs.next()) {
                                known.get(t.name()).get(rs.getString(1))[1] = rs.getString(2);
                            }
                        }
                    }
                }
                Map<String, String[]> rows = known.get(t.name());
                rows.keySet().retainAll(current.get(t.name()).keySet());
                current.get(t.name()).replaceAll((key, ignored) -> rows.get(key)[1]);
            }
            return current;
        }

        /** The tables whose rows differ, with what differs. */
        static List<String> changed(Map<String, Map<String, String>> before, Map<String, Map<String, String>> after) {
            List<String> changed = new ArrayList<>();
            before.forEach((table, rows) -> {
                Map<String, String> now = after.get(table);
                if (!rows.equals(now)) {
                    long added = now.keySet().stream().filter(k -> !rows.containsKey(k)).count();
                    long removed = rows.keySet().stream().filter(k -> !now.containsKey(k)).count();
                    long altered = rows.keySet().stream().filter(k -> now.containsKey(k) && !Objects.equals(rows.get(k), now.get(k))).count();
                    changed.add(table + " (" + added + " added, " + removed + " removed, " + altered + " changed)");
                }
            });
            return changed;
        }
    }

    // ---- Fixtures ---------------------------------------------------------------------------------------

    /**
     * The run's own tenant (Admin and Viewer clients and API keys), a foreign tenant, subscriptions in
     * fixed slots (a slot deleted by a request that was allowed to is refilled), an event and a delivery
     * parked until tomorrow. Subscriptions listen to {@code fuzz.heard}, which no request publishes, and
     * point at a closed local port.
     */
    static final class RunFixtures implements HostileRequests.Fixtures {
        final Api.Tenant tenant = Api.tenant();
        final Api.Tenant viewer = Api.client(tenant.orgId(), tenant.number(), List.of("Viewer"));
        final Api.Tenant foreign = Api.tenant();
        final String apiKey = Api.apiKey(tenant.orgId());
        final String viewerApiKey = Api.apiKey(tenant.orgId(), List.of("Viewer"));
        final String foreignApiKey = Api.apiKey(foreign.orgId());
        final String expired = Tokens.expired(tenant);
        final Sub[] slots = new Sub[HostileRequests.slots()];
        Sub foreignSub = create(foreign);
        String disposableOrg = newOrg();
        final String eventId = publish(tenant);
        final String foreignEventId = publish(foreign);
        final String deliveryId;

        RunFixtures() {
            for (int i = 0; i < slots.length; i++) {
                slots[i] = create(tenant);
            }
            DeleteEffects.queueDeliveries(tenant.orgId(), slots[0].id(), "fuzz.heard");
            deliveryId = Database.query("select id from delivery where subscription_id = ? and status = 'queued'",
                    UUID.fromString(slots[0].id())).get(0).get("id").toString();
        }

        private static Sub create(Api.Tenant owner) {
            Map<String, Object> created = Api.createSubscription(owner, Map.of("name", "fuzz-" + UUID.randomUUID().toString().substring(0, 8),
                    "url", "http://127.0.0.1:9/fuzz", "events", List.of("fuzz.heard")));
            return new Sub((String) created.get("id"), ((Number) created.get("number")).longValue(), (String) created.get("secret"));
        }

        private static String publish(Api.Tenant owner) {
            return given().header("Authorization", owner.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("type", "fuzz.unheard", "payload", Map.of("a", 1)))
                    .post("/v1/events").then().statusCode(202).extract().path("id");
        }

        boolean anyDeleted(Connection db) throws SQLException {
            return live(db).size() < slots.length + 1 || disposableGone(db);
        }

        private boolean disposableGone(Connection db) throws SQLException {
            try (PreparedStatement s = db.prepareStatement("select 1 from organization where id = ? and offboarded_at is null")) {
                s.setObject(1, UUID.fromString(disposableOrg));
                try (ResultSet rs = s.executeQuery()) {
                    return !rs.next();
                }
            }
        }

        /** Replaces the subscriptions a request deleted (through the API, with the run's HTTP client: RestAssured takes longer). */
        void refill(Connection db, HttpClient client, URI base) throws Exception {
            List<String> live = live(db);
            for (int i = 0; i < slots.length; i++) {
                if (!live.contains(slots[i].id())) {
                    slots[i] = create(tenant, client, base);
                }
            }
            if (!live.contains(foreignSub.id())) {
                foreignSub = create(foreign, client, base);
            }
            if (disposableGone(db)) {
                disposableOrg = newOrg();
            }
        }

        private static String newOrg() {
            return given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType(ContentType.JSON)
                    .body(Map.of("name", "fuzz-disposable")).post("/v1/admin/orgs").then().statusCode(201).extract().path("id");
        }

        private static Sub create(Api.Tenant owner, HttpClient client, URI base) throws Exception {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/v1/subscriptions"))
                    .header("Authorization", owner.bearer()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(HostileRequests.json(Map.of("name", "fuzz-refill",
                            "url", "http://127.0.0.1:9/fuzz", "events", List.of("fuzz.heard")))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, response.statusCode(), response.body());
            Map<?, ?> created = new com.fasterxml.jackson.databind.ObjectMapper().readValue(response.body(), Map.class);
            return new Sub((String) created.get("id"), ((Number) created.get("number")).longValue(), (String) created.get("secret"));
        }

        private List<String> live(Connection db) throws SQLException {
            List<UUID> ids = new ArrayList<>();
            for (Sub sub : slots) {
                ids.add(UUID.fromString(sub.id()));
            }
            ids.add(UUID.fromString(foreignSub.id()));
            try (PreparedStatement ps = db.prepareStatement("select id from subscription where id = any(?) and deleted_at is null")) {
                ps.setArray(1, db.createArrayOf("uuid", ids.toArray()));
                List<String> live = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        live.add(rs.getString(1));
                    }
                }
                return live;
            }
        }

        @Override
        public String orgId() {
            return tenant.orgId().toString();
        }

        @Override
        public int orgNumber() {
            return tenant.number();
        }

        @Override
        public String foreignOrgId() {
            return foreign.orgId().toString();
        }

        @Override
        public String disposableOrgId() {
            return disposableOrg;
        }

        @Override
        public int foreignOrgNumber() {
            return foreign.number();
        }

        @Override
        public String token() {
            return tenant.token();
        }

        @Override
        public String viewerToken() {
            return viewer.token();
        }

        @Override
        public String foreignToken() {
            return foreign.token();
        }

        @Override
        public String expiredToken() {
            return expired;
        }

        @Override
        public String clientId() {
            return tenant.clientId();
        }

        @Override
        public String clientSecret() {
            return tenant.clientSecret();
        }

        @Override
        public String apiKey() {
            return apiKey;
        }

        @Override
        public String viewerApiKey() {
            return viewerApiKey;
        }

        @Override
        public String foreignApiKey() {
            return foreignApiKey;
        }

        @Override
        public Sub sub(int slot) {
            return slots[slot];
        }

        @Override
        public Sub foreignSub() {
            return foreignSub;
        }

        @Override
        public String eventId() {
            return eventId;
        }

        @Override
        public String foreignEventId() {
            return foreignEventId;
        }

        @Override
        public String deliveryId() {
            return deliveryId;
        }
    }
}

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
 * otherwise right request, and a refused request (4xx, or a 5xx) must leave the database as it was.
 * Failures are collected by class (route, body kind, outcome) and reported together at the end.
 *
 * <p>Seed: fixed by default ({@link #DEFAULT_SEED}), so CI replays the same requests. Pass
 * {@code -Dfuzz.seed=<n>} (or the variable {@code FUZZ_SEED}) to replay another run, or {@code random}
 * for a new one; the seed is printed at the start and in every failure. {@code -Dfuzz.requests=<n>}
 * sets how many requests are sent (default 4,000). Not under {@code hookhub.}: the application's
 * configuration mapping refuses unknown properties under its prefix, and the test runs in its JVM.
 */
@QuarkusTest
class HostileInputFuzzTest {

    static final long DEFAULT_SEED = 15_2026L;
    static final int DEFAULT_REQUESTS = 4000;
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    /** Past this many unanswered requests the service is taken as wedged and the run stops (each costs the full wait). */
    static final int MAX_UNANSWERED = 15;
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
        Map<String, FailureClass> failures = new TreeMap<>();
        Map<String, Integer> statuses = new TreeMap<>();
        int unanswered = 0;
        int sent = 0;
        long generating = 0;
        long sending = 0;
        long checking = 0;
        long began = System.nanoTime();
        try (Connection db = Database.connect()) {
            Fingerprint fingerprint = new Fingerprint(db, start);
            Map<String, String> before = fingerprint.take();
            for (int i = 0; i < requests && unanswered < MAX_UNANSWERED; i++) {
                long g0 = System.nanoTime();
                HostileRequest request = generator.next(i);
                serverErrors.clear();
                long s0 = System.nanoTime();
                Answer answer = request.raw() ? sendRaw(request) : send(client, request);
                long s1 = System.nanoTime();
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
                if (answer.status() >= 400) {
                    Map<String, String> after = fingerprint.take();
                    List<String> changed = Fingerprint.changed(before, after);
                    if (!changed.isEmpty()) {
                        problems.add("database changed by a refused request: " + String.join(", ", changed));
                        before = after;
                    }
                } else {
                    if (answer.status() >= 200 && answer.status() < 300 && fixtures.anyDeleted(db)) {
                        fixtures.refill(db);
                    }
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
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        System.out.println("HostileInputFuzzTest: seed " + seed + ", " + sent + " requests in " + seconds + " s over "
                + targets.size() + " route methods (generating " + generating / 1_000_000 + " ms, sending " + sending / 1_000_000
                + " ms, checking the database " + checking / 1_000_000 + " ms); answers " + statuses);
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
            return new Answer(-1, (System.nanoTime() - t0) / 1_000_000, false, "", "connection closed without an answer ("
                    + e.getClass().getSimpleName() + ")");
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
     * A count and an MD5 of every row of each table a request could change, for the rows this run can
     * reach: credentials and orgs of the whole service, and the data of the orgs created since the run
     * began. Left out are the columns only the delivery worker writes (attempt history, a subscription's
     * last success / failure, a delivery's progress), so a delivery in the background never reads as a
     * change; a delivery parked until tomorrow is compared whole.
     */
    static final class Fingerprint {
        private static final String RUN_ORGS = "org_id in (select id from organization where created_at >= ?)";
        private static final Map<String, String> TABLES = new LinkedHashMap<>();

        static {
            TABLES.put("organization", "select id, number, name, created_at from organization");
            TABLES.put("api_client", "select * from api_client");
            TABLES.put("api_key", "select * from api_key");
            TABLES.put("subscription", "select id, number, org_id, name, description, code, url, events, content_type, headers,"
                    + " active, version, owner_public_key, created_at, created_by, modified_at, modified_by, deleted_at, deleted_by"
                    + " from subscription where " + RUN_ORGS);
            TABLES.put("signing_secret", "select s.* from signing_secret s join subscription u on u.id = s.subscription_id where u."
                    + RUN_ORGS);
            TABLES.put("event_type", "select * from event_type where " + RUN_ORGS);
            TABLES.put("event", "select * from event where " + RUN_ORGS);
            TABLES.put("delivery", "select id, event_id, subscription_id, org_id, created_at,"
                    + " case when status = 'queued' and due_at > now() + interval '1 hour' then 'parked ' || due_at::text"
                    + " else 'the worker''s' end as state"
                    + " from delivery where " + RUN_ORGS);
            TABLES.put("audit", "select * from audit");
        }

        private final PreparedStatement statement;
        private final Timestamp start;

        Fingerprint(Connection db, Timestamp start) throws SQLException {
            this.start = start;
            StringBuilder sql = new StringBuilder("select ");
            boolean first = true;
            for (Map.Entry<String, String> table : TABLES.entrySet()) {
                sql.append(first ? "" : ", ").append("(select count(*) || ' rows ' || coalesce(md5(string_agg(r::text, '|' order by r::text)), '')"
                        + " from (").append(table.getValue()).append(") r) as ").append(table.getKey());
                first = false;
            }
            this.statement = db.prepareStatement(sql.toString());
        }

        Map<String, String> take() throws SQLException {
            int parameters = statement.getParameterMetaData().getParameterCount();
            for (int i = 1; i <= parameters; i++) {
                statement.setTimestamp(i, start);
            }
            Map<String, String> tables = new LinkedHashMap<>();
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                for (String table : TABLES.keySet()) {
                    tables.put(table, rs.getString(table));
                }
            }
            return tables;
        }

        static List<String> changed(Map<String, String> before, Map<String, String> after) {
            List<String> changed = new ArrayList<>();
            before.forEach((table, value) -> {
                if (!value.equals(after.get(table))) {
                    changed.add(table + " (" + value.substring(0, value.indexOf(" rows")) + " -> "
                            + after.get(table).substring(0, after.get(table).indexOf(" rows")) + " rows)");
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
            return live(db).size() < slots.length + 1;
        }

        /** Replaces the subscriptions a request deleted. */
        void refill(Connection db) throws SQLException {
            List<String> live = live(db);
            for (int i = 0; i < slots.length; i++) {
                if (!live.contains(slots[i].id())) {
                    slots[i] = create(tenant);
                }
            }
            if (!live.contains(foreignSub.id())) {
                foreignSub = create(foreign);
            }
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

package dev.hookhub.negotiation;

import dev.hookhub.support.Api;
import dev.hookhub.support.Database;
import dev.hookhub.support.Msgpack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API.md §3 as a matrix: representative routes (a read, a list, a create, the token endpoint, an error
 * of each kind) × every way of choosing the format, with MessagePack decoded by msgpack-core.
 */
@QuarkusTest
class NegotiationMatrixTest {

    static Api.Tenant tenant;
    static String subscriptionId;

    @BeforeEach
    void seed() {
        if (tenant == null) {
            tenant = Api.tenant();
            subscriptionId = (String) Api.createSubscription(tenant).get("id");
        }
    }

    /** A route: how to call it with a path suffix (may be empty) and extra request settings. */
    record Route(String name, int status, String expectedKey, Function<String, Response> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A way of choosing the format: a suffix for the path, and request settings. */
    record Choice(String name, String suffix, Function<RequestSpecification, RequestSpecification> spec,
            WireFormat expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Route> routes() {
        return List.of(
                new Route("GET subscription", 200, "id",
                        s -> spec(s).header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + subscriptionId + suffix(s))),
                new Route("GET list", 200, "items",
                        s -> spec(s).header("Authorization", tenant.bearer()).get("/v1/subscriptions" + suffix(s))),
                new Route("POST create", 201, "secret",
                        s -> spec(s).header("Authorization", tenant.bearer()).contentType("application/json")
                                .body(Api.subscriptionBody("neg")).post("/v1/subscriptions" + suffix(s))),
                new Route("POST token", 200, "access_token",
                        s -> spec(s).auth().preemptive().basic(tenant.clientId(), tenant.clientSecret())
                                .formParam("grant_type", "client_credentials").post("/oauth/token" + suffix(s))),
                new Route("404 problem", 404, "detail",
                        s -> spec(s).header("Authorization", tenant.bearer())
                                .get("/v1/subscriptions/00000000-0000-7000-8000-000000000000" + suffix(s))),
                new Route("401 problem", 401, "detail",
                        s -> spec(s).get("/v1/subscriptions" + suffix(s))),
                new Route("400 problem", 400, "detail",
                        s -> spec(s).header("Authorization", tenant.bearer()).get("/v1/subscriptions/not-a-uuid" + suffix(s))),
                new Route("admin 401 problem", 401, "detail",
                        s -> spec(s).contentType("application/json").body(Map.of("name", "x")).post("/v1/admin/orgs" + suffix(s))));
    }

    // The choice currently being applied (set per invocation; tests in a class run sequentially).
    private static Choice current;

    private static RequestSpecification spec(String ignored) {
        return current.spec().apply(given().urlEncodingEnabled(true));
    }

    private static String suffix(String ignored) {
        return current.suffix();
    }

    static List<Choice> choices() {
        return List.of(
                new Choice("no Accept", "", r -> r, WireFormat.JSON),
                new Choice("Accept */*", "", r -> r.accept("*/*"), WireFormat.JSON),
                new Choice("Accept json", "", r -> r.accept("application/json"), WireFormat.JSON),
                new Choice("Accept x-msgpack", "", r -> r.accept("application/x-msgpack"), WireFormat.MSGPACK),
                new Choice("Accept msgpack alias", "", r -> r.accept("application/msgpack"), WireFormat.MSGPACK),
                new Choice("Accept vnd.msgpack alias", "", r -> r.accept("application/vnd.msgpack"), WireFormat.MSGPACK),
                new Choice("q-values prefer msgpack", "", r -> r.accept("application/json;q=0.5, application/x-msgpack;q=0.9"), WireFormat.MSGPACK),
                new Choice("q-values prefer json", "", r -> r.accept("application/x-msgpack;q=0.1, application/*;q=0.8"), WireFormat.JSON),
                new Choice("json refused, wildcard", "", r -> r.accept("application/json;q=0, */*"), WireFormat.MSGPACK),
                new Choice("?format=msgpack", "", r -> r.queryParam("format", "msgpack"), WireFormat.MSGPACK),
                new Choice("?format=x-msgpack", "", r -> r.queryParam("format", "x-msgpack"), WireFormat.MSGPACK),
                new Choice("?format=json over msgpack Accept", "", r -> r.queryParam("format", "json").accept("application/x-msgpack"), WireFormat.JSON),
                new Choice(".x-msgpack suffix", ".x-msgpack", r -> r, WireFormat.MSGPACK),
                new Choice(".json suffix over msgpack Accept", ".json", r -> r.accept("application/x-msgpack"), WireFormat.JSON),
                new Choice("?format=json over .x-msgpack suffix", ".x-msgpack", r -> r.queryParam("format", "json"), WireFormat.JSON),
                new Choice(".x-msgpack suffix over json Accept", ".x-msgpack", r -> r.accept("application/json"), WireFormat.MSGPACK));
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cells = new ArrayList<>();
        for (Route route : routes()) {
            for (Choice choice : choices()) {
                cells.add(Arguments.of(route, choice));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("matrix")
    void everyRouteAnswersInTheChosenFormat(Route route, Choice choice) {
        current = choice;
        Response response = route.call().apply("");
        assertEquals(route.status(), response.statusCode(), () -> response.asString());
        assertEquals("Accept", response.header("Vary"));
        String contentType = response.contentType();
        boolean problem = route.status() >= 400;
        byte[] body = response.asByteArray();
        if (choice.expected() == WireFormat.MSGPACK) {
            assertTrue(contentType.startsWith("application/x-msgpack"), contentType);
            Map<String, Object> map = Msgpack.decodeMap(body);
            assertTrue(map.containsKey(route.expectedKey()), map.toString());
            if (problem) {
                assertEquals((long) route.status(), map.get("status"));
                assertNotNull(map.get("title"));
                assertNotNull(map.get("type"));
            }
        } else {
            assertTrue(contentType.startsWith(problem ? "application/problem+json" : "application/json"), contentType);
            Map<String, Object> map = response.jsonPath().getMap("");
            assertTrue(map.containsKey(route.expectedKey()), map.toString());
            if (problem) {
                assertEquals(route.status(), map.get("status"));
            }
        }
    }

    @Test
    void dateTimesAreMessagePackTimestamps() {
        byte[] body = given().header("Authorization", tenant.bearer()).accept("application/x-msgpack")
                .get("/v1/subscriptions/" + subscriptionId).then().statusCode(200).extract().asByteArray();
        assertTrue(Msgpack.containsTimestampExtension(body));
        Map<String, Object> map = Msgpack.decodeMap(body);
        Instant created = assertInstanceOf(Instant.class, map.get("createdAt"));
        String json = given().header("Authorization", tenant.bearer()).get("/v1/subscriptions/" + subscriptionId)
                .then().extract().path("createdAt");
        assertEquals(Instant.parse(json), created, "the same instant in both formats");
        assertEquals(subscriptionId, map.get("id"));
        assertEquals(List.of("order.created", "order.paid"), map.get("events"));
        assertEquals(Boolean.TRUE, map.get("active"));
        assertEquals(1L, map.get("version"));
        assertTrue(map.containsKey("lastHttpSuccess") && map.get("lastHttpSuccess") == null);
    }

    @Test
    void anAcceptThatAllowsNeitherIs406() {
        for (String accept : List.of("text/html", "application/xml", "application/json;q=0, application/x-msgpack;q=0",
                ";;;,", "application/json;q=abc")) {
            given().header("Authorization", tenant.bearer()).accept(accept).get("/v1/subscriptions")
                    .then().statusCode(406).contentType("application/problem+json").header("Vary", "Accept");
        }
    }

    @Test
    void anUnknownFormatIs400() {
        given().header("Authorization", tenant.bearer()).queryParam("format", "xml").get("/v1/subscriptions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("xml"));
    }

    @Test
    void messagePackRequestBodiesWorkWithEveryAlias() {
        for (String type : List.of("application/x-msgpack", "application/msgpack", "application/vnd.msgpack")) {
            byte[] request = Msgpack.encode(Map.of("name", "mp", "url", "https://r.example.com/mp",
                    "events", List.of("e.one"), "headers", Map.of("X-A", "b")));
            byte[] body = given().header("Authorization", tenant.bearer()).contentType(type).accept(type)
                    .body(request).post("/v1/subscriptions").then().extract().asByteArray();
            assertTrue(Msgpack.decodeMap(body).containsKey("secret"), type + ": " + Msgpack.decodeMap(body));
            Map<String, Object> map = Msgpack.decodeMap(body);
            assertEquals("mp", map.get("name"));
            assertEquals(Map.of("X-A", "b"), map.get("headers"));
            assertTrue(((String) map.get("secret")).startsWith("whsec_"));
        }
    }

    @Test
    void badBodiesAre4xxWithAClearMessageAndChangeNothing() {
        long before = subscriptions();
        record Bad(String contentType, byte[] body, int status, String detailContains) {
        }
        byte[] valid = Msgpack.encode(Map.of("name", "x", "url", "https://r.example.com", "events", List.of("e")));
        List<Bad> cases = List.of(
                new Bad("application/json", "{\"name\":".getBytes(StandardCharsets.UTF_8), 400, "truncated"),
                new Bad("application/json", "{\"name\" \"x\"}".getBytes(StandardCharsets.UTF_8), 400, "Malformed JSON"),
                new Bad("application/json", "[1,2]".getBytes(StandardCharsets.UTF_8), 400, "JSON object"),
                new Bad("application/json", "{\"name\":\"x\",\"url\":\"https://r.example.com\",\"events\":\"e\"}".getBytes(StandardCharsets.UTF_8), 400, "events"),
                new Bad("application/json", "{\"name\":7,\"url\":\"https://r.example.com\",\"events\":[\"e\"]}".getBytes(StandardCharsets.UTF_8), 400, "name"),
                new Bad("application/json", "{\"name\":\"x\",\"url\":\"https://r.example.com\",\"events\":[\"e\"],\"active\":\"yes\"}".getBytes(StandardCharsets.UTF_8), 400, "active"),
                new Bad("application/json", "{\"name\":\"x\"} trailing".getBytes(StandardCharsets.UTF_8), 400, "Malformed JSON"),
                new Bad("application/json", "{\"name\":\"a\\u0000b\",\"url\":\"https://r.example.com\",\"events\":[\"e\"]}".getBytes(StandardCharsets.UTF_8), 400, "NUL"),
                new Bad("application/x-msgpack", Msgpack.encode(Map.of("name", "x", "code", "a\u0000", "url", "https://r.example.com", "events", List.of("e"))), 400, "NUL"),
                new Bad("application/x-msgpack", Arrays.copyOf(valid, valid.length - 3), 400, "truncated"),
                new Bad("application/x-msgpack", new byte[] {(byte) 0xc1}, 400, "Malformed MessagePack"),
                new Bad("application/x-msgpack", Msgpack.encode(Map.of("name", "x", "url", "https://r.example.com", "events", 5)), 400, "events"),
                new Bad("text/plain", "name=x".getBytes(StandardCharsets.UTF_8), 415, "text/plain"),
                new Bad("application/xml", "<x/>".getBytes(StandardCharsets.UTF_8), 415, "application/xml"));
        for (Bad bad : cases) {
            for (WireFormat answer : WireFormat.values()) {
                Response response = given().header("Authorization", tenant.bearer()).contentType(bad.contentType())
                        .accept(answer.mediaType()).body(bad.body()).post("/v1/subscriptions");
                assertEquals(bad.status(), response.statusCode(), bad.contentType() + " " + new String(bad.body(), StandardCharsets.ISO_8859_1));
                String detail = answer == WireFormat.JSON ? response.jsonPath().getString("detail")
                        : (String) Msgpack.decodeMap(response.asByteArray()).get("detail");
                assertTrue(detail.contains(bad.detailContains()), detail);
            }
        }
        assertEquals(before, subscriptions(), "no failed request changed anything");
    }

    @Test
    void bodiesOverOneMebibyteAre413WithOrWithoutContentLength() {
        long before = subscriptions();
        byte[] big = ("{\"name\":\"" + "a".repeat(1_100_000) + "\",\"url\":\"https://r.example.com\",\"events\":[\"e\"]}")
                .getBytes(StandardCharsets.UTF_8);
        given().header("Authorization", tenant.bearer()).contentType("application/json").body(big)
                .post("/v1/subscriptions").then().statusCode(413).contentType("application/problem+json")
                .body("status", org.hamcrest.Matchers.is(413));
        // Chunked: no Content-Length, the reader counts.
        byte[] chunked = given().header("Authorization", tenant.bearer()).contentType("application/json")
                .accept("application/x-msgpack").body(new java.io.ByteArrayInputStream(big))
                .post("/v1/subscriptions").then().statusCode(413).extract().asByteArray();
        assertEquals(413L, Msgpack.decodeMap(chunked).get("status"));
        assertEquals(before, subscriptions());
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        byte[] body = given().accept("application/x-msgpack").get("/no/such/route").then().statusCode(404).extract().asByteArray();
        assertEquals(404L, Msgpack.decodeMap(body).get("status"));
        given().header("Authorization", tenant.bearer()).put("/v1/subscriptions")
                .then().statusCode(405).contentType("application/problem+json");
    }

    @Test
    void problemDetailsCarryFieldErrors() {
        Map<String, Object> problem = Msgpack.decodeMap(given().header("Authorization", tenant.bearer())
                .contentType("application/json").accept("application/x-msgpack")
                .body(Map.of("name", "x", "url", "not a url", "events", List.of("e")))
                .post("/v1/subscriptions").then().statusCode(400).extract().asByteArray());
        assertEquals("about:blank", problem.get("type"));
        assertEquals("Bad Request", problem.get("title"));
        assertEquals(400L, problem.get("status"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> errors = (List<Map<String, Object>>) problem.get("errors");
        assertEquals("url", errors.get(0).get("field"));
        assertNotNull(errors.get(0).get("message"));
        assertArrayEquals(new Object[] {"url"}, errors.stream().map(e -> e.get("field")).toArray());
    }

    static long subscriptions() {
        return Database.count("select count(*) from subscription");
    }
}

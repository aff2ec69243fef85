package dev.hookhub;

import dev.hookhub.support.Api;
import dev.hookhub.negotiation.ProblemMappers;
import dev.hookhub.support.Database;
import dev.hookhub.support.LogLineEscaping;
import io.restassured.RestAssured;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15's smaller items: what a hostile path, Host header or URL must not reach. */
@QuarkusTest
class HostileInputTest {

    private static final Pattern SERIES = Pattern.compile(
            "^http_server_requests_seconds_count\\{(.*)} ([0-9.E]+)$", Pattern.MULTILINE);
    private static final Pattern URI_LABEL = Pattern.compile("uri=\"([^\"]*)\"");
    private static final Pattern METHOD_LABEL = Pattern.compile("method=\"([^\"]*)\"");

    @Test
    void unmatchedRequestsShareOneMetricsLabelAndRealRoutesKeepTheirs() {
        String marker = "probe" + UUID.randomUUID().toString().substring(0, 8);
        Api.Tenant tenant = Api.tenant();
        for (int i = 0; i < 150; i++) {
            String unique = marker + "-" + i;
            switch (i % 5) {
                case 0 -> given().get("/" + unique + "/x").then().statusCode(404); // no route at all
                case 1 -> given().delete("/v1/" + unique).then().statusCode(404);
                // A route's path with a method it does not serve: 405, one path per id.
                case 2 -> given().header("Authorization", tenant.bearer()).put("/v1/subscriptions/" + unique)
                        .then().statusCode(405);
                // OPTIONS on any one-segment path is answered by the /{customerId} class.
                case 3 -> given().options("/" + unique).then().statusCode(200);
                default -> given().options("/v1/" + unique + "/y").then().statusCode(200);
            }
        }

        String afterFlood = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> byUri = countsByUri(afterFlood, null);
        assertTrue(byUri.keySet().stream().noneMatch(u -> u.contains(marker)), "no unmatched path is a label: " + byUri.keySet());
        assertTrue(byUri.getOrDefault("/unmatched", 0.0) >= 120, "the 404s, 405s and OPTIONS share /unmatched: " + byUri);
        assertTrue(byUri.size() < 60, "labels stay far below Micrometer's cap of 100: " + byUri.keySet());

        // A route first requested after the flood still gets its own label.
        assertFalse(countsByUri(afterFlood, "HEAD").containsKey("/v1/stats/attempts"));
        given().header("Authorization", tenant.bearer()).head("/v1/stats/attempts").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> countsByUri(given().get("/q/metrics").asString(), "HEAD")
                .containsKey("/v1/stats/attempts"));
    }

    @Test
    void aPathWithLineBreaksForgesNoLogLine() throws IOException {
        String marker = "FORGED-" + UUID.randomUUID();
        String forged = "2030-01-01 00:00:00,000 ERROR [io.quarkus] (main) " + marker;
        Path log = Path.of("target/hookhub-test.log");
        assertTrue(Files.exists(log), "the test profile logs to " + log);
        String rawPath = "/v1/subscriptions;x=%0d%0a" + URLEncoder.encode(forged, StandardCharsets.UTF_8).replace("+", "%20")
                + "%0a%1b%5B31mred%c2%85%e2%80%a8end";
        // No line a request can reach logs its path in this version (bodies with NUL and bad names are refused
        // before the database), so the decoded path is logged here the way ProblemMappers logs a failure: the
        // escaping sits on the handlers, so whichever line carries caller text goes through it.
        String decoded = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
        Logger.getLogger(ProblemMappers.class).warn("The database refused a value on POST " + decoded);
        Logger.getLogger(ProblemMappers.class).warnf("Unexpected failure on %s %s", "POST", decoded);

        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains(marker));
        List<String> mentioning = Files.readAllLines(log).stream().filter(l -> l.contains(marker)).toList();
        assertEquals(2, mentioning.size(), "each message stays on its line: " + mentioning);
        for (String line : mentioning) {
            assertFalse(line.startsWith(forged), "a forged line: " + line);
            assertTrue(line.contains("WARN") && line.contains("on POST /v1/subscriptions;x=\\r\\n" + forged), line);
            assertTrue(line.contains("\\u001b[31mred\\u0085\\u2028end"), "escapes are visible: " + line);
        }
        assertEquals("tab\tkept", LogLineEscaping.escape("tab\tkept"));
    }

    @Test
    void locationHeadersNeverNameTheRequestsHost() throws IOException {
        String orgBody = "{\"name\":\"hostile-" + UUID.randomUUID() + "\"}";
        String admin = "Authorization: Bearer " + Api.ADMIN_TOKEN;
        List<RawAnswer> answers = new ArrayList<>();
        answers.add(raw("POST /v1/admin/orgs", "evil.example", admin, orgBody));
        answers.add(raw("POST /v1/admin/orgs", "evil.example:8443", admin + "\r\nX-Forwarded-Host: evil.example"
                + "\r\nForwarded: host=evil.example;proto=https", orgBody));
        answers.add(raw("POST http://evil.example/v1/admin/orgs", "localhost", admin, orgBody)); // absolute form
        answers.add(raw("POST //evil.example/v1/admin/orgs", "localhost", admin, orgBody));
        answers.add(raw("POST //evil.example//v1/admin/orgs", "localhost", admin, orgBody));
        int created = 0;
        for (RawAnswer a : answers) {
            String location = a.header("location");
            if (a.status() == 201) {
                created++;
                assertNotNull(location, a.toString());
                assertTrue(location.matches("/v1/orgs/[0-9a-f-]{36}"), "relative to hookhub itself: " + location);
                String id = location.substring("/v1/orgs/".length());
                assertEquals(1, Database.count("select count(*) from organization where id = ?::uuid", id));
            }
            assertFalse(location != null && location.contains("evil"), a.toString());
        }
        assertTrue(created >= 2, "the Host header and the absolute form both created: " + answers);

        Api.Tenant tenant = Api.tenant();
        String subscription = "{\"name\":\"h\",\"url\":\"https://receiver.example.com/h\",\"events\":[\"a\"]}";
        RawAnswer sub = raw("POST /v1/subscriptions", "evil.example", "Authorization: " + tenant.bearer(), subscription);
        assertEquals(201, sub.status(), sub.toString());
        assertTrue(sub.header("location").matches("/v1/subscriptions/[0-9a-f-]{36}"), sub.toString());
    }

    @Test
    void ambiguousIpv4SpellingsAreRefusedWhateverThePrivateTargetSetting() {
        Api.Tenant tenant = Api.tenant();
        Map<String, Object> sub = Api.createSubscription(tenant);
        String id = (String) sub.get("id");
        for (String host : List.of("0177.0.0.1", "0x7f000001", "2130706433", "127.1", "127.0.1", "0x7f.0.0.1",
                "127.0.0.01", "127.0.0.1.", "1.2.3.999")) {
            String url = "http://" + host + "/hook";
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("name", "a", "url", url, "events", List.of("a")))
                    .post("/v1/subscriptions").then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("url"));
            given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("url", url))
                    .patch("/v1/subscriptions/" + id).then().statusCode(400)
                    .body("errors[0].field", equalTo("url"));
        }
        assertEquals(1, Database.count("select count(*) from subscription where org_id = ?", tenant.orgId()));
        Api.getSubscription(tenant, id).then().statusCode(200).body("url", equalTo(sub.get("url"))).body("version", is(1));
        // The plain spelling of a loopback address is allowed in the test profile (allow-private-targets).
        given().header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/hook")).patch("/v1/subscriptions/" + id).then().statusCode(200);
    }

    @Test
    void theConsoleWithoutItsSlashRedirects() {
        given().redirects().follow(false).get("/console").then().statusCode(301)
                .header("Location", "/console/");
        given().redirects().follow(false).head("/console").then().statusCode(301)
                .header("Location", "/console/");
        given().redirects().follow(false).header("Host", "evil.example").get("/console?from=x").then().statusCode(301)
                .header("Location", "/console/?from=x");
        given().redirects().follow(false).get("/console/").then().statusCode(200)
                .contentType(containsString("text/html"));
        given().get("/console").then().statusCode(200).contentType(containsString("text/html"));
    }

    /** Sums of http_server_requests counts by uri label (for one method, or all when null). */
    private static Map<String, Double> countsByUri(String metrics, String method) {
        Map<String, Double> counts = new LinkedHashMap<>();
        Matcher m = SERIES.matcher(metrics);
        while (m.find()) {
            Matcher uri = URI_LABEL.matcher(m.group(1));
            Matcher verb = METHOD_LABEL.matcher(m.group(1));
            if (uri.find() && verb.find() && (method == null || method.equals(verb.group(1)))) {
                counts.merge(uri.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return counts;
    }

    private record RawAnswer(String request, int status, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** One HTTP/1.1 exchange written by hand: the request target and Host exactly as given. */
    private static RawAnswer raw(String requestLine, String host, String headers, String jsonBody) throws IOException {
        byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
        String request = requestLine + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] lines = head.substring(0, Math.max(0, head.indexOf("\r\n\r\n"))).split("\r\n");
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answerHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
            return new RawAnswer(requestLine + " (Host " + host + ")", Integer.parseInt(lines[0].split(" ")[1]), answerHeaders);
        }
    }
}

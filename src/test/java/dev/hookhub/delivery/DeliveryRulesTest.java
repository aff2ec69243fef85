package dev.hookhub.delivery;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure parts of delivery: retry decisions, Retry-After, resolved-address checks, signatures. */
class DeliveryRulesTest {

    private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(
            List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30)), 0.2,
            Duration.ofHours(1), Duration.ofDays(5));

    private static AttemptOutcome outcome(Integer code, Duration retryAfter) {
        return new AttemptOutcome(NOW, code, "x", 1, retryAfter);
    }

    @Test
    void successEndsTheDelivery() {
        assertEquals("succeeded", policy.decide(1, outcome(200, null), null, NOW).status());
        assertEquals("succeeded", policy.decide(3, outcome(299, null), NOW.minusSeconds(60), NOW).status());
    }

    @Test
    void failuresFollowTheScheduleWithJitterThenFail() {
        for (int i = 0; i < 50; i++) {
            RetryPolicy.Decision d = policy.decide(1, outcome(500, null), null, NOW);
            assertEquals("queued", d.status());
            long delay = Duration.between(NOW, d.dueAt()).toMillis();
            assertTrue(delay >= 4000 && delay <= 6000, "5 s ± 20%: " + delay);
            long second = Duration.between(NOW, policy.decide(2, outcome(null, null), null, NOW).dueAt()).toMillis();
            assertTrue(second >= 240_000 && second <= 360_000, "5 min ± 20%: " + second);
        }
        assertEquals("queued", policy.decide(3, outcome(302, null), null, NOW).status());
        RetryPolicy.Decision last = policy.decide(4, outcome(500, null), null, NOW);
        assertEquals("failed", last.status());
        assertFalse(last.deactivate());
    }

    @Test
    void throttlingAnswersAndTimeoutsSlowTheSubscriptionDown() {
        for (int code : new int[] {429, 502, 503, 504}) {
            assertTrue(RetryPolicy.isThrottleSignal(outcome(code, null)), code + " asks to slow down");
        }
        for (Integer code : new Integer[] {200, 204, 400, 404, 410, 500, 501, null}) {
            assertFalse(RetryPolicy.isThrottleSignal(outcome(code, null)), code + " does not");
        }
        assertTrue(RetryPolicy.isThrottleSignal(new AttemptOutcome(NOW, null, "no response within 15000 ms", 15000, null, true)));
    }

    @Test
    void goneAndFailingForFiveDaysDeactivate() {
        RetryPolicy.Decision gone = policy.decide(1, outcome(410, null), null, NOW);
        assertEquals("failed", gone.status());
        assertTrue(gone.deactivate());
        assertTrue(policy.decide(1, outcome(500, null), NOW.minus(Duration.ofDays(5)), NOW).deactivate());
        assertFalse(policy.decide(1, outcome(500, null), NOW.minus(Duration.ofDays(4)), NOW).deactivate());
    }

    @Test
    void retryAfterOn429And503IsHonouredAndBounded() {
        assertEquals(NOW.plusSeconds(120), policy.decide(1, outcome(429, Duration.ofSeconds(120)), null, NOW).dueAt());
        assertEquals(NOW.plusSeconds(3600), policy.decide(1, outcome(503, Duration.ofDays(2)), null, NOW).dueAt());
        long ignored = Duration.between(NOW, policy.decide(1, outcome(500, Duration.ofSeconds(120)), null, NOW).dueAt())
                .toMillis();
        assertTrue(ignored <= 6000, "Retry-After only counts on 429/503");
    }

    /**
     * A Retry-After earlier than the schedule's next delay (0, negative, a date in the past, or a minute after the
     * 5-minute step) does not bring the retry forward: a receiver answering 429 "Retry-After: 0" at once used up
     * a delivery's whole schedule in 150 ms.
     */
    @Test
    void retryAfterNeverBringsTheRetryForward() {
        for (Duration asked : new Duration[] {Duration.ZERO, Duration.ofSeconds(-5), Duration.ofSeconds(1)}) {
            for (int code : new int[] {429, 503}) {
                long first = Duration.between(NOW, policy.decide(1, outcome(code, asked), null, NOW).dueAt()).toMillis();
                assertTrue(first >= 4000 && first <= 6000, code + " Retry-After " + asked + ": the schedule's 5 s ± 20%, not " + first);
            }
        }
        long second = Duration.between(NOW, policy.decide(2, outcome(429, Duration.ofMinutes(1)), null, NOW).dueAt()).toMillis();
        assertTrue(second >= 240_000 && second <= 360_000, "5 min ± 20%, not the minute asked: " + second);
        assertEquals("failed", policy.decide(4, outcome(429, Duration.ZERO), null, NOW).status());
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        assertEquals(Duration.ofSeconds(30), RetryPolicy.parseRetryAfter("30", NOW));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(90), RetryPolicy.parseRetryAfter(date, NOW));
        assertNull(RetryPolicy.parseRetryAfter("soon", NOW));
        assertNull(RetryPolicy.parseRetryAfter(null, NOW));
    }

    @Test
    void privateResolvedAddressesAreRefusedUnlessAllowed() throws UnknownHostException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress privateNet = InetAddress.getByName("10.1.2.3");
        InetAddress linkLocal = InetAddress.getByName("169.254.169.254");
        InetAddress publicNet = InetAddress.getByName("93.184.216.34");
        Map<String, InetAddress[]> dns = Map.of("sneaky.example", new InetAddress[] {publicNet, loopback},
                "internal.example", new InetAddress[] {privateNet}, "metadata.example", new InetAddress[] {linkLocal},
                "public.example", new InetAddress[] {publicNet});
        DeliveryTargets strict = new DeliveryTargets(false, dns::get);

        DeliveryTargets.Target sneaky = strict.check(URI.create("https://sneaky.example/hook"));
        assertNull(sneaky.address());
        assertTrue(sneaky.refusal().startsWith("refused: sneaky.example resolves to an address"), sneaky.refusal());
        assertFalse(sneaky.refusal().contains("127."), "how a name resolves is not told: " + sneaky.refusal());
        assertNull(strict.check(URI.create("https://internal.example/")).address());
        assertNull(strict.check(URI.create("https://metadata.example/")).address());
        assertNull(strict.check(URI.create("http://unknown.example/")).address());
        assertEquals("93.184.216.34", strict.check(URI.create("https://public.example/")).address());
        assertEquals("10.1.2.3", new DeliveryTargets(true, dns::get)
                .check(URI.create("https://internal.example/")).address(), "allowed in dev and test");
    }

    @Test
    void namesResolvingToIpv6FormsOfInternalIpv4AddressesAreRefused() throws UnknownHostException {
        Map<String, InetAddress[]> dns = new java.util.HashMap<>();
        for (String v6 : List.of("::7f00:1", "64:ff9b::a9fe:a9fe", "2002:a00:1::", "64:ff9b:1::1")) {
            dns.put(v6.replace(':', 'x') + ".example", new InetAddress[] {InetAddress.getByName(v6)});
        }
        DeliveryTargets strict = new DeliveryTargets(false, dns::get);
        for (String name : dns.keySet()) {
            DeliveryTargets.Target t = strict.check(URI.create("https://" + name + "/"));
            assertNull(t.address(), name);
            assertFalse(t.refusal().matches(".*(127|169|10\\.|::).*"), t.refusal());
        }
        DeliveryTargets resolvingAll = new DeliveryTargets(true, host -> {
            throw new AssertionError("an ambiguous spelling is not resolved: " + host);
        });
        for (String host : List.of("0177.0.0.1", "0x7f000001", "2130706433", "127.1")) {
            DeliveryTargets.Target t = resolvingAll.check(URI.create("http://" + host + "/"));
            assertNull(t.address(), host);
            assertTrue(t.refusal().startsWith("refused"), t.refusal());
        }
    }

    @Test
    void signaturesVerifyWithTheStandardWebhooksLibrary() throws Exception {
        String current = "whsec_" + java.util.Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        String retired = "whsec_" + java.util.Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());
        byte[] body = "{\"a\":\"ü\"}".getBytes(StandardCharsets.UTF_8);
        long ts = Instant.now().getEpochSecond();
        String header = WebhookSigner.signature(List.of(current, retired), "msg_1", ts, body);
        Map<String, List<String>> headers = Map.of("webhook-id", List.of("msg_1"),
                "webhook-timestamp", List.of(Long.toString(ts)), "webhook-signature", List.of(header));
        new Webhook(current).verify(new String(body, StandardCharsets.UTF_8), headers);
        new Webhook(retired).verify(new String(body, StandardCharsets.UTF_8), headers);
    }
}

package dev.hookhub.subscription;

import dev.hookhub.support.Rejection;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which targets are internal, and which IPv4 spellings are refused, as create, update and send judge them. */
class TargetAddressesTest {

    private final SubscriptionRules strict = new SubscriptionRules(false);
    private final SubscriptionRules lenient = new SubscriptionRules(true);

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void ipv6FormsCarryingAnIpv4AddressAreJudgedByIt() throws UnknownHostException {
        for (String internal : List.of("::7f00:1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:a00:1",
                "64:ff9b::7f00:1", "64:ff9b::10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::8.8.8.8", "64:ff9b:1:ffff::1",
                "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::", "2001:0:4136:e378:8000:63bf:80ff:fffe",
                "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1")) {
            assertTrue(TargetAddresses.isInternal(ip(internal)), internal);
        }
        for (String external : List.of("::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1",
                "2606:4700:4700::1111", "2001:4860:4860::8888", "93.184.216.34")) {
            assertFalse(TargetAddresses.isInternal(ip(external)), external);
        }
    }

    @Test
    void ipv4RangesStayAsTheyWere() throws UnknownHostException {
        for (String internal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "0.0.0.0", "100.64.0.1", "198.18.0.1", "224.0.0.1")) {
            assertTrue(TargetAddresses.isInternal(ip(internal)), internal);
        }
        assertFalse(TargetAddresses.isInternal(ip("8.8.8.8")));
    }

    @Test
    void ambiguousIpv4SpellingsAreRecognised() {
        for (String ambiguous : List.of("0177.0.0.1", "0x7f000001", "0X7F.0.0.1", "2130706433", "127.1", "127.0.1",
                "127.0.0.01", "017700000001", "127.0.0.1.", "1.2.3.256", "a.b.0x1", "host.123", "0x")) {
            assertTrue(TargetAddresses.isAmbiguousIpv4(ambiguous), ambiguous);
        }
        for (String plain : List.of("127.0.0.1", "8.8.8.8", "0.0.0.0", "255.255.255.255", "example.com", "1.example",
                "0x7f.example", "[::1]", "123abc", "localhost")) {
            assertFalse(TargetAddresses.isAmbiguousIpv4(plain), plain);
        }
    }

    @Test
    void createAndUpdateRefuseEveryInternalForm() {
        for (String url : List.of("http://[::7f00:1]/", "http://[::127.0.0.1]/", "http://[::ffff:127.0.0.1]/",
                "http://[64:ff9b::7f00:1]/", "http://[64:ff9b:1::1]/", "http://[2002:7f00:1::]/", "http://127.0.0.1/",
                "http://[::1]:8080/", "https://localhost/", "http://169.254.169.254/latest/meta-data")) {
            Rejection.InvalidField e = assertThrows(Rejection.InvalidField.class, () -> strict.url(url), url);
            assertEquals("url", e.field(), url);
            assertEquals(url, lenient.url(url), "allowed where private targets are (dev, test)");
        }
        assertEquals("https://[2606:4700:4700::1111]/h", strict.url("https://[2606:4700:4700::1111]/h"));
        assertEquals("https://example.com/h", strict.url("https://example.com/h"));
    }

    @Test
    void ambiguousSpellingsAreRefusedWhateverTheSetting() {
        for (String url : List.of("http://0177.0.0.1/", "http://0x7f000001/", "http://2130706433/", "http://127.1/",
                "http://127.0.1/", "http://0x7f.0.0.1/", "http://8.8.010.8/")) {
            for (SubscriptionRules rules : List.of(strict, lenient)) {
                Rejection.InvalidField e = assertThrows(Rejection.InvalidField.class, () -> rules.url(url), url);
                assertEquals("url", e.field());
                assertFalse(e.reason().contains("127"), "no address in the answer");
            }
        }
    }
}

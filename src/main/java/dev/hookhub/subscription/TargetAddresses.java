package dev.hookhub.subscription;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Which delivery targets are internal, judged the same way when a subscription's URL is checked and when
 * an attempt resolves its host: loopback, private, link-local, unspecified, multicast, shared (100.64/10)
 * and benchmarking (198.18/15) IPv4 ranges, unique-local IPv6, and every IPv6 form that carries an IPv4
 * address inside (IPv4-compatible, IPv4-mapped, NAT64, 6to4, Teredo) judged by that IPv4 address.
 */
public final class TargetAddresses {

    /** Four decimal numbers 0-255 without leading zeros: the one IPv4 spelling every parser reads alike. */
    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    /** A last label that URL parsers (WHATWG, inet_aton) take for part of an IPv4 address. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");

    private TargetAddresses() {
    }

    /**
     * True when the host is read as an IPv4 address by some parser but is not a plain dotted quad:
     * {@code 0177.0.0.1} (octal), {@code 0x7f000001} (hex), {@code 2130706433} (one number), {@code 127.1}
     * (short forms), a trailing dot. Parsers disagree on these (Java reads 0177 as 177, curl and browsers
     * as 127), so a check and a connection could see different addresses.
     */
    public static boolean isAmbiguousIpv4(String host) {
        if (host.isEmpty() || host.startsWith("[")) {
            return false;
        }
        String trimmed = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = trimmed.substring(trimmed.lastIndexOf('.') + 1);
        if (!NUMERIC_LABEL.matcher(last).matches()) {
            return false; // a name: DNS has no all-numeric top-level label
        }
        return !DOTTED_QUAD.matcher(host).matches();
    }

    /** True for an address hookhub must not deliver to unless private targets are allowed. */
    public static boolean isInternal(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            Inet4Address inside = embeddedIpv4(v6.getAddress());
            if (inside != null) {
                return isInternal(inside);
            }
        }
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128)
                    || (first == 198 && (second == 18 || second == 19));
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        boolean uniqueLocal = (first & 0xfe) == 0xfc; // fc00::/7
        // 64:ff9b:1::/48 is NAT64 for local use (RFC 8215): its IPv4 placement depends on each site's prefix.
        boolean localNat64 = first == 0 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && b[4] == 0 && b[5] == 1;
        return uniqueLocal || localNat64;
    }

    /**
     * The IPv4 address an IPv6 address carries, or null: IPv4-compatible ::a.b.c.d (not :: or ::1),
     * IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:AABB:CCDD::, Teredo 2001:0::/32
     * (the client address, inverted, in the last 32 bits).
     */
    static Inet4Address embeddedIpv4(byte[] b) {
        if (b.length != 16) {
            return null;
        }
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= b[i] == 0;
        }
        int w5 = ((b[10] & 0xff) << 8) | (b[11] & 0xff);
        if (firstTenZero && w5 == 0xffff) {
            return ipv4(b[12], b[13], b[14], b[15]);
        }
        if (firstTenZero && w5 == 0) {
            boolean upperZero = b[12] == 0 && b[13] == 0 && b[14] == 0;
            return upperZero && (b[15] == 0 || b[15] == 1) ? null : ipv4(b[12], b[13], b[14], b[15]);
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            boolean wellKnown = true; // 64:ff9b::/96
            for (int i = 4; i < 12; i++) {
                wellKnown &= b[i] == 0;
            }
            return wellKnown ? ipv4(b[12], b[13], b[14], b[15]) : null;
        }
        if (w0 == 0x2002) {
            return ipv4(b[2], b[3], b[4], b[5]);
        }
        if (w0 == 0x2001 && w1 == 0) {
            return ipv4((byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]);
        }
        return null;
    }

    private static Inet4Address ipv4(byte a, byte b, byte c, byte d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}

package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.subscription.TargetAddresses;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.function.Function;

/**
 * Where an attempt may connect. Subscription rules only see literal hosts at create time; a name can
 * resolve anywhere later, so each attempt resolves the host and refuses loopback, private and
 * link-local addresses (unless allowed; {@link TargetAddresses} says which), then connects to that very
 * address (no second lookup to rebind). A refusal never names the address a name resolved to.
 */
@ApplicationScoped
public class DeliveryTargets {

    /** The address to connect to, or why there is none ({@code refusal} set, no connection made). */
    public record Target(URI uri, String address, String refusal) {
    }

    private final boolean allowPrivate;
    private final Function<String, InetAddress[]> resolver;

    @Inject
    public DeliveryTargets(HookhubConfig config) {
        this(config.delivery().allowPrivateTargets(), DeliveryTargets::lookup);
    }

    DeliveryTargets(boolean allowPrivate, Function<String, InetAddress[]> resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** Resolves off the event loop (the JDK resolver blocks). */
    public Uni<Target> resolve(URI uri) {
        return Uni.createFrom().item(() -> check(uri)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    Target check(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return new Target(uri, null, "refused: the URL names no host");
        }
        if (TargetAddresses.isAmbiguousIpv4(host)) {
            return new Target(uri, null, "refused: the URL spells an IPv4 address in a form parsers read differently");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.apply(bare);
        } catch (RuntimeException e) {
            return new Target(uri, null, "unresolvable host " + bare);
        }
        if (addresses == null || addresses.length == 0) {
            return new Target(uri, null, "unresolvable host " + bare);
        }
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                if (TargetAddresses.isInternal(a)) {
                    // Which address, or which kind, would tell a tenant how internal names resolve.
                    return new Target(uri, null, "refused: " + bare
                            + " resolves to an address this service does not deliver to");
                }
            }
        }
        return new Target(uri, addresses[0].getHostAddress(), null);
    }

    private static InetAddress[] lookup(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.SecretCipher;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Makes one attempt: the payload in the subscription's content type, its custom headers, the Standard
 * Webhooks headers, POSTed over one shared keep-alive client that never follows redirects. Never
 * fails: every way an attempt can go wrong becomes an {@link AttemptOutcome}.
 */
@ApplicationScoped
public class DeliverySender {

    private final WebClient client;
    private final SecretCipher cipher;
    private final Payloads payloads;
    private final DeliveryTargets targets;
    private final Duration timeout;

    public DeliverySender(Vertx vertx, SecretCipher cipher, Payloads payloads, DeliveryTargets targets,
            HookhubConfig config) {
        this.cipher = cipher;
        this.payloads = payloads;
        this.targets = targets;
        this.timeout = config.delivery().timeout();
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("hookhub")
                .setKeepAlive(true)
                .setFollowRedirects(false)
                .setMaxPoolSize(config.delivery().maxInFlight())
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setVerifyHost(true));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public Uni<AttemptOutcome> send(ClaimedDelivery delivery) {
        Instant started = Instant.now();
        URI uri;
        byte[] body;
        List<String> secrets = new ArrayList<>();
        try {
            uri = URI.create(delivery.url());
            WireFormat format = WireFormat.fromMediaType(delivery.contentType()).orElse(WireFormat.JSON);
            body = payloads.encode(delivery.payload(), delivery.payloadFormat(), format);
            for (byte[] ciphertext : delivery.secretCiphertexts()) {
                secrets.add(cipher.decrypt(delivery.subscriptionId(), ciphertext));
            }
        } catch (RuntimeException e) {
            return Uni.createFrom().item(outcome(started, null, "not sent: " + e.getMessage(), null));
        }
        return targets.resolve(uri).flatMap(target -> {
            if (target.refusal() != null) {
                return Uni.createFrom().item(outcome(started, null, target.refusal(), null));
            }
            return post(delivery, target, body, secrets, started);
        });
    }

    private Uni<AttemptOutcome> post(ClaimedDelivery delivery, DeliveryTargets.Target target, byte[] body,
            List<String> secrets, Instant started) {
        URI uri = target.uri();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        // Connect to the address just checked; the Host header and TLS name stay the URL's host.
        // The receiver's response body is discarded unread: only its status and Retry-After matter.
        HttpRequest<Void> request = client
                .request(HttpMethod.POST, SocketAddress.inetSocketAddress(port, target.address()), port, uri.getHost(), path)
                .as(BodyCodec.none())
                .ssl(https)
                .followRedirects(false)
                .timeout(timeout.toMillis());
        delivery.headers().forEach(request::putHeader);
        String messageId = "msg_" + delivery.id();
        long timestamp = Instant.now().getEpochSecond();
        request.putHeader("content-type", delivery.contentType())
                .putHeader("webhook-id", messageId)
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("hookhub-event-type", delivery.type());
        if (!secrets.isEmpty()) {
            request.putHeader("webhook-signature", WebhookSigner.signature(secrets, messageId, timestamp, body));
        }
        return request.sendBuffer(Buffer.buffer(body))
                // The client's timeout is per idle period; this bounds the whole exchange.
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException())
                .map(response -> outcome(started, response.statusCode(), describe(response),
                        RetryPolicy.parseRetryAfter(response.getHeader("Retry-After"), Instant.now())))
                .onFailure().recoverWithItem(e -> outcome(started, null, describe(e), null));
    }

    private static String describe(HttpResponse<?> response) {
        String message = response.statusMessage();
        return message == null || message.isBlank() ? Integer.toString(response.statusCode())
                : response.statusCode() + " " + message;
    }

    private String describe(Throwable e) {
        if (e instanceof TimeoutException || e.getClass().getSimpleName().toLowerCase(Locale.ROOT).contains("timeout")) {
            return "no response within " + timeout.toMillis() + " ms";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "no response: " + (message.length() > 300 ? message.substring(0, 300) : message);
    }

    private static AttemptOutcome outcome(Instant started, Integer code, String description,
            java.time.Duration retryAfter) {
        Instant now = Instant.now();
        return new AttemptOutcome(started, code, description, Duration.between(started, now).toMillis(), retryAfter);
    }
}

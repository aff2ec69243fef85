package dev.hookhub.delivery;

import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.subscription.SecretCipher;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes one attempt: the payload in the subscription's content type, its custom headers, the Standard
 * Webhooks headers, POSTed over one shared keep-alive client that never follows redirects. Never
 * fails: every way an attempt can go wrong becomes an {@link AttemptOutcome}.
 *
 * <p>A receiver is not trusted to behave. The whole attempt (waiting for a pooled connection, connect,
 * request, status, body) has one absolute deadline, the delivery timeout, and at the deadline the
 * connection is closed, not just given up on: the client's own timeouts only count idle time, so a
 * receiver sending a byte now and then would keep the socket and its pool slot forever. No byte of the
 * response body is kept (the attempt record has only the status line): up to {@link #DRAINED_BODY_BYTES}
 * are read and dropped so the connection can be reused; a longer body is not read further and the
 * connection is closed instead. The status decides the outcome either way.
 */
@ApplicationScoped
public class DeliverySender {

    /** Most bytes of a response body read (and dropped) to keep its connection; past them it is closed. */
    static final int DRAINED_BODY_BYTES = 64 * 1024;

    private final io.vertx.core.Vertx vertx;
    private final HttpClient client;
    private final SecretCipher cipher;
    private final Payloads payloads;
    private final DeliveryTargets targets;
    private final Duration timeout;

    public DeliverySender(Vertx vertx, SecretCipher cipher, Payloads payloads, DeliveryTargets targets,
            HookhubConfig config) {
        this.vertx = vertx.getDelegate();
        this.cipher = cipher;
        this.payloads = payloads;
        this.targets = targets;
        this.timeout = config.delivery().timeout();
        // The core client, not the WebClient: the WebClient buffers every body (even BodyCodec.none())
        // and does not expose the connection a deadline has to close.
        this.client = this.vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
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
        if (delivery.payload() == null) {
            return Uni.createFrom().item(outcome(started, null, "not sent: the event was erased", null));
        }
        return payloads.open(delivery.orgId(), delivery.eventId(), delivery.payload(), delivery.sealed())
                .onItemOrFailure().transformToUni((plain, failure) -> failure != null
                        ? Uni.createFrom().item(outcome(started, null, "not sent: " + failure.getMessage(), null))
                        : send(delivery, plain, started));
    }

    private Uni<AttemptOutcome> send(ClaimedDelivery delivery, byte[] payload, Instant started) {
        URI uri;
        byte[] body;
        List<String> secrets = new ArrayList<>();
        try {
            uri = URI.create(delivery.url());
            WireFormat format = WireFormat.fromMediaType(delivery.contentType()).orElse(WireFormat.JSON);
            body = payloads.encode(payload, delivery.payloadFormat(), format);
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
        long remaining = Math.max(1, timeout.toMillis() - Duration.between(started, Instant.now()).toMillis());
        // Connect to the address just checked; the Host header and TLS name stay the URL's host.
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, target.address()))
                .setHost(uri.getHost())
                .setPort(port)
                .setURI(path)
                .setSsl(https)
                .setFollowRedirects(false)
                // Bounds the wait for a pooled connection too; the deadline below closes whatever follows.
                .setConnectTimeout(remaining);
        delivery.headers().forEach(request::putHeader);
        String messageId = "msg_" + delivery.id();
        long timestamp = Instant.now().getEpochSecond();
        request.putHeader("user-agent", "hookhub")
                .putHeader("content-type", delivery.contentType())
                .putHeader("webhook-id", messageId)
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("hookhub-event-type", delivery.type());
        if (!secrets.isEmpty()) {
            request.putHeader("webhook-signature", WebhookSigner.signature(secrets, messageId, timestamp, body));
        }
        return Uni.createFrom().emitter(emitter -> new Exchange(emitter, started).start(request, body, remaining));
    }

    /**
     * One request and its response, finished exactly once: by the end of a short body, by a body past
     * {@link #DRAINED_BODY_BYTES}, by a failure, or by the deadline. Its callbacks and the deadline's
     * timer may run on different threads, hence the atomic flag and volatile fields.
     */
    private final class Exchange {
        private final UniEmitter<? super AttemptOutcome> emitter;
        private final Instant started;
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile HttpClientRequest request;
        private volatile HttpClientResponse response;
        private volatile long timerId = -1;
        private long bodyBytes;

        Exchange(UniEmitter<? super AttemptOutcome> emitter, Instant started) {
            this.emitter = emitter;
            this.started = started;
        }

        void start(RequestOptions options, byte[] body, long remaining) {
            timerId = vertx.setTimer(remaining, id -> expire());
            client.request(options).onComplete(obtained -> {
                if (obtained.failed()) {
                    finish(null, describe(obtained.cause()), false);
                    return;
                }
                request = obtained.result();
                if (finished.get()) { // the deadline passed while a connection was obtained
                    close(request);
                    return;
                }
                request.send(Buffer.buffer(body)).onComplete(answered -> {
                    if (answered.failed()) {
                        finish(null, describe(answered.cause()), true);
                    } else {
                        read(answered.result());
                    }
                });
            });
        }

        /** Counts the body as it streams by, keeping none of it. */
        private void read(HttpClientResponse answer) {
            response = answer;
            answer.handler(chunk -> {
                bodyBytes += chunk.length();
                if (bodyBytes > DRAINED_BODY_BYTES) {
                    finish(answer, null, true);
                }
            });
            answer.exceptionHandler(e -> finish(answer, null, true));
            answer.endHandler(end -> finish(answer, null, false));
        }

        /**
         * The deadline: a status that came in time stands (the receiver answered, only its body is
         * unfinished); without one the attempt timed out. Either way the connection is closed.
         */
        private void expire() {
            HttpClientResponse answer = response;
            finish(answer, answer == null ? noResponseWithin() : null, true);
        }

        private void finish(HttpClientResponse answer, String failure, boolean closeConnection) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            vertx.cancelTimer(timerId);
            if (closeConnection && request != null) {
                close(request);
            }
            emitter.complete(answer == null ? timedOut(started, failure)
                    : outcome(started, answer.statusCode(), describe(answer),
                            RetryPolicy.parseRetryAfter(answer.getHeader("Retry-After"), Instant.now())));
        }
    }

    /** Closes the request's connection so that it is not pooled with unread bytes or a receiver still writing. */
    private static void close(HttpClientRequest request) {
        request.reset(); // HTTP/1.x: closes the connection
        HttpConnection connection = request.connection();
        if (connection != null) {
            connection.close();
        }
    }

    private static String describe(HttpClientResponse response) {
        String message = response.statusMessage();
        return message == null || message.isBlank() ? Integer.toString(response.statusCode())
                : response.statusCode() + " " + message;
    }

    private String describe(Throwable e) {
        if (e instanceof TimeoutException || e.getClass().getSimpleName().toLowerCase(Locale.ROOT).contains("timeout")) {
            return noResponseWithin();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "no response: " + (message.length() > 300 ? message.substring(0, 300) : message);
    }

    /** No status: timed out when the description says the deadline passed (the deadline's, or a connect timeout's). */
    private AttemptOutcome timedOut(Instant started, String description) {
        AttemptOutcome o = outcome(started, null, description, null);
        return new AttemptOutcome(o.attemptedAt(), null, o.description(), o.durationMs(), null,
                description != null && description.startsWith(noResponseWithin()));
    }

    private String noResponseWithin() {
        return "no response within " + timeout.toMillis() + " ms";
    }

    private static AttemptOutcome outcome(Instant started, Integer code, String description,
            java.time.Duration retryAfter) {
        Instant now = Instant.now();
        return new AttemptOutcome(started, code, description, Duration.between(started, now).toMillis(), retryAfter);
    }
}

package dev.hookhub.delivery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A receiving endpoint on 127.0.0.1 and a free port that records every request and answers as the
 * test says: a status (and headers) per request number, optionally held until the test releases it.
 */
final class Receiver implements AutoCloseable {

    /** One request as it arrived; header names lower-case. */
    record Received(Instant at, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /** An answer: status and extra headers. */
    record Answer(int status, Map<String, String> headers) {
        static Answer of(int status) {
            return new Answer(status, Map.of());
        }
    }

    private final HttpServer server;
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile BiFunction<Integer, Received, Answer> answers = (n, r) -> Answer.of(200);
    private volatile CountDownLatch gate;
    private volatile Duration delay = Duration.ZERO;
    /** Sends the answers of a slow receiver when their time comes, holding no thread meanwhile. */
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();

    Receiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers the n-th request (1-based) as the function says. */
    Receiver answering(Function<Integer, Answer> answers) {
        this.answers = (n, r) -> answers.apply(n);
        return this;
    }

    /** Answers each request as the function says, given its number (1-based) and what arrived. */
    Receiver answeringEach(BiFunction<Integer, Received, Answer> answers) {
        this.answers = answers;
        return this;
    }

    /** Takes this long over every answer (a slow receiver). */
    Receiver delaying(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** The most requests this receiver was answering at once. */
    int maxConcurrent() {
        return maxConcurrent.get();
    }

    Receiver always(int status) {
        return answering(n -> Answer.of(status));
    }

    /** Holds every request after it is recorded until {@link #release()}. */
    Receiver holding() {
        gate = new CountDownLatch(1);
        return this;
    }

    void release() {
        CountDownLatch g = gate;
        if (g != null) {
            g.countDown();
        }
    }

    List<Received> requests() {
        return new ArrayList<>(requests);
    }

    int count() {
        return requests.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        answer(exchange);
    }

    private void answer(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        Received received = new Received(Instant.now(), exchange.getRequestURI().toString(), headers, body);
        requests.add(received);
        Answer answer = answers.apply(count.incrementAndGet(), received);
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Runnable reply = () -> {
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            // No longer in progress once the answer goes out: the sender's next request may follow it at once.
            concurrent.decrementAndGet();
            try {
                exchange.sendResponseHeaders(answer.status(), -1);
            } catch (IOException e) {
                // the sender gave up on it: nothing to answer
            } finally {
                exchange.close();
            }
        };
        if (delay.isZero()) {
            reply.run();
        } else {
            later.schedule(reply, delay.toMillis(), TimeUnit.MILLISECONDS); // the receiver's own slowness
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        later.shutdownNow();
    }
}

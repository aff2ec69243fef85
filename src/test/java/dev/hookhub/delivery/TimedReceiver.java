package dev.hookhub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * A receiving endpoint on 127.0.0.1 that times every request: when it arrived and when its answer began
 * (System.nanoTime()), the event's number (the payload's {@code "n"}), which arrival of its delivery it was
 * (by {@code webhook-id}), how many requests were in progress at once, and which hookhub process sent it
 * (the sender's socket looked up in /proc). It answers after a fixed service time, with a status chosen per
 * event number and arrival, and can hold chosen requests until the test releases them.
 */
final class TimedReceiver implements AutoCloseable {

    /** One request. {@code answeredAt} is taken before the answer is written: nothing it caused can precede it. */
    record Arrival(int event, String webhookId, int nth, long arrivedAt, long answeredAt, int status, String sender) {
        boolean succeeded() {
            return status >= 200 && status < 300;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HOLD_LIMIT = Duration.ofSeconds(60);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Sends each answer when its service time has passed, holding no thread meanwhile. */
    private final ScheduledExecutorService later = Executors.newScheduledThreadPool(2);
    private final Duration serviceTime;
    private final BiFunction<Integer, Integer, Integer> status;
    private final Map<Long, String> senders;
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> byDelivery = new ConcurrentHashMap<>();
    private final Map<Integer, String> senderByPort = new ConcurrentHashMap<>();
    /** The requests in progress now, as event/arrival@sender; the most at once, and which they were. */
    private final List<String> inProgress = new ArrayList<>();
    private int mostInProgress;
    private List<String> busiest = List.of();
    private volatile BiPredicate<Integer, Integer> holds = (n, nth) -> false;
    private final List<Held> heldRequests = new ArrayList<>();
    private int toHold;
    private CompletableFuture<List<Held>> held = new CompletableFuture<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Duration retryAfter;

    /**
     * @param serviceTime how long each request takes before its answer
     * @param status      the answer's status from the event's number and the arrival of its delivery (1 = first)
     * @param senders     the hookhub processes by pid and name, for telling which one sent a request; read as
     *                    connections come, so a process started later is found too
     */
    TimedReceiver(Duration serviceTime, BiFunction<Integer, Integer, Integer> status, Map<Long, String> senders) {
        this.serviceTime = serviceTime;
        this.status = status;
        this.senders = senders;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        // As many threads as requests come: the receiver must never be what bounds the concurrency it counts.
        server.setExecutor(threads);
        server.start();
    }

    /** Every answer that is not a 2xx carries {@code Retry-After} of this many seconds from now on. */
    TimedReceiver retryAfter(Duration wait) {
        retryAfter = wait;
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** A request held at the receiver: its event, which arrival of its delivery, who sent it, since when (nanoTime). */
    record Held(int event, int nth, String sender, long since) {
    }

    /**
     * Holds the first {@code requests} requests that match (event number, arrival of its delivery) until
     * {@link #release()}; answers them once they all arrived.
     */
    synchronized CompletableFuture<List<Held>> hold(int requests, BiPredicate<Integer, Integer> which) {
        toHold = requests;
        held = new CompletableFuture<>();
        holds = which;
        return held;
    }

    /** Whether this request is one to hold; the held ones' senders are answered once all have come. */
    private synchronized boolean holding(int event, int nth, String sender) {
        if (heldRequests.size() >= toHold || !holds.test(event, nth)) {
            return false;
        }
        heldRequests.add(new Held(event, nth, sender, System.nanoTime()));
        if (heldRequests.size() == toHold) {
            held.complete(List.copyOf(heldRequests));
        }
        return true;
    }

    void release() {
        release.countDown();
    }

    /** Every request so far, in the order they arrived. */
    List<Arrival> arrivals() {
        List<Arrival> sorted = new ArrayList<>(arrivals);
        sorted.sort((x, y) -> Long.compare(x.arrivedAt(), y.arrivedAt()));
        return sorted;
    }

    int count() {
        return arrivals.size();
    }

    /** The most requests this receiver had in progress at once. */
    synchronized int mostInProgress() {
        return mostInProgress;
    }

    /** The requests in progress when the most were, as event/arrival@sender. */
    synchronized List<String> busiest() {
        return busiest;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrivedAt = System.nanoTime();
        JsonNode payload = JSON.readTree(exchange.getRequestBody().readAllBytes());
        int event = payload.path("n").asInt(-1);
        String webhookId = exchange.getRequestHeaders().getFirst("webhook-id");
        int nth = byDelivery.computeIfAbsent(String.valueOf(webhookId), id -> new AtomicInteger()).incrementAndGet();
        String sender = senderByPort.computeIfAbsent(exchange.getRemoteAddress().getPort(),
                port -> senderOf(port, server.getAddress().getPort()));
        String request = event + "/" + nth + "@" + sender;
        enter(request);
        Runnable reply = () -> answer(exchange, event, webhookId, nth, arrivedAt, sender, request);
        if (!holding(event, nth, sender)) {
            // The receiver's own service time, not a wait for anything under test: answered when it has passed.
            later.schedule(reply, serviceTime.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        try {
            if (!release.await(HOLD_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("event " + event + " held for " + HOLD_LIMIT + " without a release");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leave(request);
            exchange.close();
            return;
        } catch (RuntimeException e) {
            leave(request);
            exchange.close();
            throw e;
        }
        reply.run();
    }

    /** Answers the request with its status (and Retry-After on a refusal) and records its arrival. */
    private void answer(HttpExchange exchange, int event, String webhookId, int nth, long arrivedAt, String sender,
            String request) {
        try {
            int answer;
            try {
                answer = status.apply(event, nth);
            } finally {
                // Out of progress before the answer goes: the request it lets the sender make next counts alone.
                leave(request);
            }
            arrivals.add(new Arrival(event, webhookId, nth, arrivedAt, System.nanoTime(), answer, sender));
            Duration wait = retryAfter;
            if (wait != null && (answer < 200 || answer >= 300)) {
                exchange.getResponseHeaders().add("Retry-After", String.valueOf(wait.toSeconds()));
            }
            exchange.sendResponseHeaders(answer, -1);
        } catch (IOException e) {
            // the sender is gone (killed while its request was held): what the test does on purpose
        } finally {
            exchange.close();
        }
    }

    private synchronized void enter(String request) {
        inProgress.add(request);
        if (inProgress.size() > mostInProgress) {
            mostInProgress = inProgress.size();
            busiest = List.copyOf(inProgress);
        }
    }

    private synchronized void leave(String request) {
        inProgress.remove(request);
    }

    /**
     * The name of the process holding the sender's end of this connection (local port {@code port}, remote port
     * {@code receiverPort}): its socket inode from the kernel's tables, then the process with that inode among its
     * open files. "unknown" without /proc.
     */
    private String senderOf(int port, int receiverPort) {
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                    String[] fields = line.trim().split("\\s+");
                    if (portOf(fields[1]) == port && portOf(fields[2]) == receiverPort) {
                        inode = fields[9];
                    }
                }
            } catch (IOException e) {
                // no such table (no IPv6): look in the other
            }
        }
        if (inode == null) {
            return "unknown";
        }
        String socket = "socket:[" + inode + "]";
        for (Map.Entry<Long, String> sender : senders.entrySet()) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", sender.getKey().toString(), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(socket)) {
                            return sender.getValue();
                        }
                    } catch (IOException e) {
                        // closed while listed
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }
        return "unknown";
    }

    private static int portOf(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
        later.shutdownNow();
    }
}

package dev.hookhub.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiving endpoint on 127.0.0.1 that misbehaves at the socket level, one {@link Behaviour} per
 * instance, and records each connection: when it was accepted, how many requests came on it, how many
 * response bytes went out, and when the sender closed it (a read that ends, or a write that fails).
 */
final class HostileReceiver implements AutoCloseable {

    enum Behaviour {
        /** 200 with a body of {@code size} bytes, streamed from one small buffer. */
        BIG_BODY,
        /** 200 with a 1 KiB body: a well-behaved receiver that says a little more than its status. */
        SMALL_BODY,
        /** One byte of a response head every {@code interval}, never finishing it. */
        DRIP,
        /** A complete 200 head, then one byte of its body every {@code interval}, never finishing it. */
        HEAD_THEN_DRIP,
        /** Reads the request and never answers. */
        HANG
    }

    /** One accepted connection. Times are System.nanoTime(); closedAt is 0 while it is open. */
    static final class Connection {
        final long acceptedAt = System.nanoTime();
        volatile long closedAt;
        volatile int requests;
        final AtomicLong bytesWritten = new AtomicLong();

        boolean open() {
            return closedAt == 0;
        }

        Duration lifetime() {
            return Duration.ofNanos((open() ? System.nanoTime() : closedAt) - acceptedAt);
        }
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private final Behaviour behaviour;
    private final long size;
    private final Duration interval;
    private final ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private final ScheduledExecutorService drips = Executors.newScheduledThreadPool(1);
    private final List<Connection> accepted = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private HostileReceiver(Behaviour behaviour, long size, Duration interval) {
        this.behaviour = behaviour;
        this.size = size;
        this.interval = interval;
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        connections.submit(this::acceptLoop);
    }

    static HostileReceiver bigBody(long size) {
        return new HostileReceiver(Behaviour.BIG_BODY, size, Duration.ZERO);
    }

    static HostileReceiver smallBody() {
        return new HostileReceiver(Behaviour.SMALL_BODY, 1024, Duration.ZERO);
    }

    static HostileReceiver drip(Duration interval) {
        return new HostileReceiver(Behaviour.DRIP, 0, interval);
    }

    static HostileReceiver headThenDrip(Duration interval) {
        return new HostileReceiver(Behaviour.HEAD_THEN_DRIP, 0, interval);
    }

    static HostileReceiver hang() {
        return new HostileReceiver(Behaviour.HANG, 0, Duration.ZERO);
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    List<Connection> connections() {
        return new ArrayList<>(accepted);
    }

    int requests() {
        return accepted.stream().mapToInt(c -> c.requests).sum();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Connection connection = new Connection();
                accepted.add(connection);
                connections.submit(() -> serve(socket, connection));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Requests one after another on the connection (keep-alive), until the sender closes it. */
    private void serve(Socket socket, Connection connection) {
        ScheduledFuture<?> drip = null;
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (readRequest(in)) {
                connection.requests++;
                switch (behaviour) {
                    case BIG_BODY, SMALL_BODY -> {
                        write(out, connection, ("HTTP/1.1 200 OK\r\ncontent-length: " + size + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        for (long left = size; left > 0; left -= ZEROS.length) {
                            out.write(ZEROS, 0, (int) Math.min(ZEROS.length, left));
                            connection.bytesWritten.addAndGet(Math.min(ZEROS.length, left));
                        }
                        out.flush();
                    }
                    case DRIP -> drip = drip(out, connection, "HTTP/1.1 200 OK\r\nx-drip: ", false);
                    case HEAD_THEN_DRIP -> {
                        write(out, connection, "HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        drip = drip(out, connection, "", true);
                    }
                    case HANG -> {
                    }
                }
            }
        } catch (IOException e) {
            // the sender closed or reset the connection: what is being recorded
        } finally {
            if (drip != null) {
                drip.cancel(false);
            }
            connection.closedAt = System.nanoTime();
        }
    }

    /** Writes the prefix one byte per interval, then 'a' forever (a header value or a body that never ends). */
    private ScheduledFuture<?> drip(OutputStream out, Connection connection, String prefix, boolean startNow) {
        byte[] head = prefix.getBytes(StandardCharsets.US_ASCII);
        AtomicLong next = new AtomicLong();
        return drips.scheduleAtFixedRate(() -> {
            long n = next.getAndIncrement();
            try {
                write(out, connection, new byte[] {n < head.length ? head[(int) n] : (byte) 'a'});
            } catch (IOException e) {
                // the connection thread records the close when its read ends
            }
        }, startNow ? 0 : interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void write(OutputStream out, Connection connection, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        connection.bytesWritten.addAndGet(bytes.length);
    }

    /** Reads one request head and its content-length body; false when the connection ended first. */
    private static boolean readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        if (b == -1) {
            return false;
        }
        long length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        in.skipNBytes(length);
        return true;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        drips.shutdownNow();
        connections.shutdownNow();
    }

    /**
     * Connections to this port that the other side (the sender) holds ESTABLISHED, from the kernel's
     * tables: the sender's end has the port as its remote port.
     */
    static int establishedTo(int port) {
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                    String[] fields = line.trim().split("\\s+");
                    String remote = fields[2];
                    int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
                    if (remotePort == port && "01".equals(fields[3])) {
                        count++;
                    }
                }
            } catch (IOException e) {
                // no such table (no IPv6): nothing to count there
            }
        }
        return count;
    }
}

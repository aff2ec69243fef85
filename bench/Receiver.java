import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's webhook receiver for slow and hanging endpoints (scenarios 8 and 9): one Vert.x event loop on
 * loopback, so that thousands of requests held open cost a timer or a map entry each, not a thread.
 *
 * <pre>
 *   java -cp "target/quarkus-app/lib/main/*" bench/Receiver.java PORT          (single-file source launch)
 *
 *   POST /ok           204 at once
 *   POST /slow         204 after 100 ms (a timer; /slow/250 waits 250 ms)
 *   POST /hang         never answered: held until the client gives up and closes the connection
 *   GET  /stats        JSON: requests per path, open (held) requests and their peak, connections and their peak
 *   POST /reset        resets the counters and peaks
 *   POST /release      closes the connections of every held /hang request (the end of a case)
 * </pre>
 *
 * Only loopback: it binds 127.0.0.1. Its counters are what the receiver saw, beside the service's own view of its
 * attempts in flight (the delivery table).
 */
public class Receiver {

    static final AtomicLong ok = new AtomicLong(), slow = new AtomicLong(), hang = new AtomicLong();
    static final AtomicLong open = new AtomicLong(), openPeak = new AtomicLong();
    static final AtomicLong hanging = new AtomicLong(), hangingPeak = new AtomicLong();
    static final AtomicLong connections = new AtomicLong(), connectionsPeak = new AtomicLong();
    static final Set<HttpServerRequest> held = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setAcceptBacklog(8192)
                        .setIdleTimeout(0).setTcpNoDelay(true))
                .connectionHandler(connection -> {
                    peak(connectionsPeak, connections.incrementAndGet());
                    connection.closeHandler(v -> connections.decrementAndGet());
                })
                .requestHandler(request -> {
                    String path = request.path();
                    if (path.equals("/ok")) {
                        ok.incrementAndGet();
                        request.response().setStatusCode(204).end();
                    } else if (path.startsWith("/slow")) {
                        slow.incrementAndGet();
                        long delay = path.length() > 6 ? Long.parseLong(path.substring(6)) : 100;
                        peak(openPeak, open.incrementAndGet());
                        // The attempt's body is read (and dropped) as it comes; the answer waits for the timer.
                        long timer = vertx.setTimer(delay, t -> {
                            open.decrementAndGet();
                            if (!request.response().closed()) {
                                request.response().setStatusCode(204).end();
                            }
                        });
                        request.response().closeHandler(v -> {
                            if (vertx.cancelTimer(timer)) {
                                open.decrementAndGet();
                            }
                        });
                    } else if (path.equals("/hang")) {
                        hang.incrementAndGet();
                        peak(hangingPeak, hanging.incrementAndGet());
                        held.add(request);
                        // The client's deadline closes the connection; the request is then let go.
                        request.response().closeHandler(v -> {
                            if (held.remove(request)) {
                                hanging.decrementAndGet();
                            }
                        });
                    } else if (path.equals("/stats")) {
                        request.response().putHeader("content-type", "application/json").end(String.format(
                                "{\"ok\":%d,\"slow\":%d,\"hang\":%d,\"open\":%d,\"openPeak\":%d,\"hanging\":%d,"
                                        + "\"hangingPeak\":%d,\"connections\":%d,\"connectionsPeak\":%d}\n",
                                ok.get(), slow.get(), hang.get(), open.get(), openPeak.get(), hanging.get(),
                                hangingPeak.get(), connections.get(), connectionsPeak.get()));
                    } else if (path.equals("/reset")) {
                        ok.set(0); slow.set(0); hang.set(0);
                        openPeak.set(open.get()); hangingPeak.set(hanging.get()); connectionsPeak.set(connections.get());
                        request.response().setStatusCode(204).end();
                    } else if (path.equals("/release")) {
                        int n = 0;
                        for (HttpServerRequest r : held) {
                            r.connection().close();
                            n++;
                        }
                        request.response().end(n + "\n");
                    } else {
                        request.response().setStatusCode(404).end();
                    }
                })
                .listen()
                .onSuccess(server -> System.out.println("receiver listening on 127.0.0.1:" + server.actualPort()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    static void peak(AtomicLong peak, long now) {
        peak.accumulateAndGet(now, Math::max);
    }
}

package dev.hookhub.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged jar started the way production runs it: its own process, the prod profile (no profile
 * given), the JVM image's options ({@code -XX:+UseSerialGC -Xmx128m -XX:SurvivorRatio=2 -XX:-TieredCompilation
 * -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=1000},
 * {@code MALLOC_ARENA_MAX=2}) and
 * only environment variables, with a fresh admin token, encryption key and EC P-256 token key pair unless
 * the settings give their own. The database is the build's {@code QUARKUS_DATASOURCE_*} when set (CI runs
 * the suite a second time against a system PostgreSQL), else an embedded one in a temporary folder.
 * Everything the process prints goes to a log under target/.
 */
public final class ProductionProcess implements AutoCloseable {

    public static final Duration START_DEADLINE = Duration.ofMinutes(5);
    public static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx128m", "-XX:SurvivorRatio=2",
            "-XX:-TieredCompilation", "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=1000");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String url;
    private final Path log;
    private final String adminToken;

    private ProductionProcess(Process process, String url, Path log, String adminToken) {
        this.process = process;
        this.url = url;
        this.log = log;
        this.adminToken = adminToken;
    }

    /**
     * Starts the jar with a fresh admin token and encryption key, a free port and these extra variables,
     * logging to {@code target/<name>.log}, and waits until /q/health/ready answers 200.
     */
    public static ProductionProcess start(String name, Map<String, String> settings) throws IOException {
        return start(name, settings, true);
    }

    /**
     * Starts the jar on an embedded database of its own even when the build has {@code QUARKUS_DATASOURCE_*}:
     * for a test of deliveries, which another instance's worker on a shared database (the packaged jar that
     * {@code @QuarkusIntegrationTest} keeps running, with another encryption key) would claim and fail.
     */
    public static ProductionProcess startAlone(String name, Map<String, String> settings) throws IOException {
        return start(name, settings, false);
    }

    private static ProductionProcess start(String name, Map<String, String> settings, boolean buildDatabase)
            throws IOException {
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        Path log = Path.of("target", name + ".log");
        String adminToken = settings.getOrDefault("HOOKHUB_ADMIN_TOKEN", randomBase64(24));
        ProcessBuilder builder = builder(port, log, adminToken, settings, buildDatabase);
        ProductionProcess started = new ProductionProcess(builder.start(), url, log, adminToken);
        try {
            awaitUp(started.process, url + "/q/health/ready", name, log);
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
        return started;
    }

    /**
     * Starts the jar (on an embedded database of its own unless the settings name one) with settings it
     * must refuse, and answers what it printed once it has exited with a non-zero status.
     */
    public static String failedStart(String name, Map<String, String> settings) throws IOException, InterruptedException {
        Path log = Path.of("target", name + ".log");
        Process process = builder(freePort(), log, randomBase64(24), settings, false).start();
        try {
            assertTrue(process.waitFor(START_DEADLINE.toSeconds(), TimeUnit.SECONDS), name + " did not exit; see " + log);
            assertTrue(process.exitValue() != 0, name + " exited with 0; see " + log);
            return Files.readString(log);
        } finally {
            stop(process);
        }
    }

    private static ProcessBuilder builder(int port, Path log, String adminToken, Map<String, String> settings,
            boolean buildDatabase) {
        Path jar = Path.of(System.getProperty("hookhub.packaged-jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.exists(jar), "no packaged jar at " + jar);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        // The build's own settings must not leak in; QUARKUS_DATASOURCE_* is meant to (see the class comment).
        env.keySet().removeIf(variable -> variable.startsWith("HOOKHUB_") || variable.startsWith("QUARKUS_OIDC_")
                || variable.startsWith("QUARKUS_PROFILE") || (!buildDatabase && variable.startsWith("QUARKUS_DATASOURCE_")));
        env.put("MALLOC_ARENA_MAX", "2");
        env.put("HOOKHUB_ADMIN_TOKEN", adminToken);
        env.put("HOOKHUB_ENCRYPTION_KEY", randomBase64(32));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // hookhub's own issuer: a fresh EC P-256 pair, as the README's set-up makes one (none with an external provider).
        if (!settings.containsKey("QUARKUS_OIDC_AUTH_SERVER_URL")) {
            KeyPair keys = ecKeyPair();
            env.put("HOOKHUB_TOKEN_SIGNING_KEY", Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()));
            env.put("HOOKHUB_TOKEN_PUBLIC_KEY", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
        }
        // Used only when no datasource URL is set.
        env.put("HOOKHUB_EMBEDDED_DB_ENABLED", "true");
        env.put("HOOKHUB_EMBEDDED_DB_TEMPORARY", "true");
        env.putAll(settings);
        return builder;
    }

    public Process process() {
        return process;
    }

    public String url() {
        return url;
    }

    public Path log() {
        return log;
    }

    public String adminToken() {
        return adminToken;
    }

    @Override
    public void close() {
        stop(process);
    }

    /** Waits until the process answers 200 at url, failing at once when it exits. */
    public static void awaitUp(Process process, String url, String what, Path log) {
        try {
            org.awaitility.Awaitility.await(what + " at " + url + " (see " + log + ")")
                    .atMost(START_DEADLINE).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!process.isAlive()) {
                            fail(what + " exited with " + process.exitValue() + "; see " + log);
                        }
                        return answers200(url);
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("Not up within " + START_DEADLINE + ": " + what + " at " + url + "; see " + log);
        }
    }

    private static boolean answers200(String url) throws InterruptedException {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM (30 s to finish), then SIGKILL; and the children it started (an embedded PostgreSQL). */
    public static void stop(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroy);
    }

    /** A fresh EC P-256 key pair, the kind hookhub's issuer signs with. */
    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String randomBase64(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }
}

package dev.hookhub;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Every hookhub knob, under the {@code hookhub.} prefix. Defaults are documented in the README. */
@ConfigMapping(prefix = "hookhub")
public interface HookhubConfig {

    /** Operator token for /v1/admin (HOOKHUB_ADMIN_TOKEN). Required in prod. */
    Optional<String> adminToken();

    /** Base64 of the 32-byte AES-256-GCM key that encrypts secrets at rest (HOOKHUB_ENCRYPTION_KEY). */
    Optional<String> encryptionKey();

    /**
     * How long an instance remembers an org's unwrapped data key (DataKeys): also the bound within which other
     * instances stop using a key that offboarding destroyed (the instance that destroyed it forgets it at once).
     */
    @WithDefault("PT5M")
    Duration dataKeyCacheTime();

    /** Largest request body accepted before a 413. */
    @WithDefault("1048576")
    int maxBodySize();

    /**
     * How long a shutdown (SIGTERM) waits for in-flight requests and delivery work before the process
     * exits; quarkus.shutdown.timeout follows it. Keep it below Kubernetes' terminationGracePeriodSeconds.
     */
    @WithDefault("PT20S")
    Duration shutdownTimeout();

    /**
     * The URL callers reach hookhub by (https://hooks.example.com, a proxy's path prefix allowed), used in
     * Location headers. Unset (the default): Location headers are relative (/v1/subscriptions/{id}), never
     * built from the request's Host.
     */
    Optional<String> publicBaseUrl();

    Token token();

    Auth auth();

    EmbeddedDb embeddedDb();

    Subscriptions subscriptions();

    Delivery delivery();

    Liveness liveness();

    Offboarding offboarding();

    OperationalEvents operationalEvents();

    Retention retention();

    interface Token {
        /** The {@code iss} of the tokens hookhub issues and accepts. */
        @WithDefault("hookhub")
        String issuer();

        /**
         * Base64 DER (or PEM) PKCS#8 private key that signs issued tokens (HOOKHUB_TOKEN_SIGNING_KEY): EC P-256
         * (ES256). An RSA key (RS256) only starts when hookhub.token.max-length allows its longer tokens.
         */
        Optional<String> signingKey();

        /** Base64 DER (or PEM) X.509 public key of the signing key (HOOKHUB_TOKEN_PUBLIC_KEY). */
        Optional<String> publicKey();

        /**
         * More public keys whose tokens are accepted and which the JWK set publishes, comma-separated, each
         * optionally {@code kid:key} (HOOKHUB_TOKEN_VERIFICATION_KEYS): the previous key during a rotation.
         */
        Optional<java.util.List<String>> verificationKeys();

        /**
         * The longest token the issuer may hand out; a key or issuer that would exceed it stops the start.
         * 249 is CRO's Authorization header limit (256) less "Bearer ".
         */
        @WithDefault("249")
        int maxLength();

        /** Lifetime of issued access tokens. */
        @WithDefault("PT1H")
        Duration lifetime();

        /** Set to false when an external OIDC provider issues the tokens. */
        @WithDefault("true")
        boolean issuingEnabled();
    }

    interface Auth {
        /** Claim that carries the org UUID. */
        @WithDefault("org")
        String orgClaim();

        /** Claim that carries the roles (also quarkus.oidc.roles.role-claim-path). */
        @WithDefault("groups")
        String rolesClaim();

        /**
         * How many verified bearer tokens are remembered (by SHA-256 of the token) until they expire, so a
         * client that reuses its token is not verified again on every request; 0 verifies every request.
         */
        @WithDefault("10000")
        int verifiedTokenCacheSize();

        /**
         * The longest a verified token is remembered, however late it expires: also the bound within which
         * a revoked API client's tokens are refused on every instance (at once on the one that revoked).
         */
        @WithDefault("PT30S")
        java.time.Duration verifiedTokenCacheTime();

        /**
         * Bearer tokens that fail verification an address may send per second, after a burst of
         * {@link #invalidTokenBurst()}; beyond that its unremembered tokens are refused unverified (0: no bound).
         */
        @WithDefault("5")
        double invalidTokensPerSecond();

        /** How many failed verifications an address may have in a row before the per-second rate applies. */
        @WithDefault("20")
        int invalidTokenBurst();
    }

    interface EmbeddedDb {
        /** Start an embedded PostgreSQL when no datasource URL is configured (off in prod unless set). */
        @WithDefault("true")
        boolean enabled();

        /** Folder that keeps the embedded database's data across restarts. */
        @WithDefault("data")
        String dataDir();

        /** Port of the embedded server; 0 picks a free one. */
        @WithDefault("0")
        int port();

        /** Use a temporary folder, removed on exit, instead of data-dir (the test profile does). */
        @WithDefault("false")
        boolean temporary();
    }

    interface Subscriptions {
        /** How long a rotated-out secret still signs deliveries. */
        @WithDefault("PT24H")
        Duration secretRotationOverlap();

        /**
         * Deprecated: how long delivery history and tombstones of deleted subscriptions are kept. Still honoured
         * as the default of {@code hookhub.retention.attempts} and {@code hookhub.retention.tombstones}.
         */
        @WithDefault("P30D")
        Duration retention();

        /** Largest page of a list. */
        @WithDefault("100")
        int maxPageSize();
    }

    interface Delivery {
        /** Allow receiving endpoints on loopback, private and link-local addresses (dev and test only). */
        @WithDefault("false")
        boolean allowPrivateTargets();

        /** Run the delivery worker in this instance (claims, sends, retries). Off: events only queue up. */
        @WithDefault("true")
        boolean workerEnabled();

        /** Delays before each retry; after the last one the delivery is failed (attempts = 1 + its size). */
        @WithDefault("PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT10H")
        List<Duration> retrySchedule();

        /** Random spread applied to each retry delay, as a fraction (0.2 = ±20%). */
        @WithDefault("0.2")
        double retryJitter();

        /** Time limit of one attempt, connect to last byte; past it the attempt failed. */
        @WithDefault("PT15S")
        Duration timeout();

        /**
         * How long a claimed delivery stays reserved; an in-flight row past its lease is claimed again (a crashed
         * instance's deliveries). Unset: {@code timeout} + {@code lease-margin}, so a lease outlives every live
         * attempt and a dead instance's leases stop holding its subscriptions' slots soon after the deadline.
         * Set, it must be longer than {@code timeout}.
         */
        Optional<Duration> lease();

        /** What a lease adds to the attempt's deadline: time to start the attempt and record its outcome. */
        @WithDefault("PT5S")
        Duration leaseMargin();

        /** The lease a claim sets: {@link #lease()}, or {@link #timeout()} + {@link #leaseMargin()}. */
        default Duration effectiveLease() {
            return lease().orElseGet(() -> timeout().plus(leaseMargin()));
        }

        /** Most deliveries claimed in one round trip. */
        @WithDefault("256")
        int batchSize();

        /** Most attempts in flight in this instance at once. */
        @WithDefault("1024")
        int maxInFlight();

        /**
         * Most payload bytes (as stored) of the attempts in flight in this instance: each attempt holds its payload
         * two or three times over (stored, opened, encoded), so this bounds the heap deliveries can take, however
         * large the events. A claim takes no more than fit (the first delivery always), and none while it is used up.
         */
        @WithDefault("8M")
        MemorySize maxInFlightBytes();

        /**
         * Most attempts in flight in this instance for the subscriptions of one org: however many hanging endpoints
         * one tenant has, the others keep the rest of max-in-flight. Unset: {@link #effectiveMaxInFlightPerOrg()}.
         */
        OptionalInt maxInFlightPerOrg();

        /**
         * {@link #maxInFlightPerOrg()}, or seven eighths of {@link #maxInFlight()} when unset (896 of 1,024), and never
         * more than max-in-flight less one: a bound at or above max-in-flight would let one org take every slot.
         */
        default int effectiveMaxInFlightPerOrg() {
            int bound = maxInFlightPerOrg().orElse(maxInFlight() * 7 / 8);
            return Math.max(1, Math.min(bound, maxInFlight() - 1));
        }

        /** Most attempts in flight for one subscription at once. */
        @WithDefault("4")
        int maxInFlightPerSubscription();

        /**
         * Most subscriptions one claim looks at (those with queued deliveries, in id order from where the last
         * claim stopped): bounds a claim's cost when many subscriptions are at their bound or not yet due.
         */
        @WithDefault("256")
        int claimVisits();

        /**
         * Adaptive pace: a subscription's pace, halved by a throttling answer (429, 502, 503, 504), a timeout or
         * rising latency, doubles back every this long until it is whole again (README, "Delivery control").
         */
        @WithDefault("PT30S")
        Duration paceRecovery();

        /**
         * Most deliveries one recovery (POST /v1/subscriptions/{id}/recover) re-queues; a window holding more is
         * re-queued in parts, each answer saying where the next one starts (README, "Delivery control").
         */
        @WithDefault("10000")
        int recoverLimit();

        /** Upper bound of a receiver's Retry-After (429/503). */
        @WithDefault("PT1H")
        Duration maxRetryAfter();

        /** A subscription failing without a success for this long is deactivated. */
        @WithDefault("P5D")
        Duration deactivateAfterFailing();

        /** Quickest poll of the queue, used while there is work; NOTIFY wakes the worker sooner. */
        @WithDefault("PT0.2S")
        Duration minPollInterval();

        /** Slowest poll of an idle queue: the fallback when a NOTIFY is missed. */
        @WithDefault("PT5S")
        Duration maxPollInterval();

        /** Rows deleted per statement by the retention purge. */
        @WithDefault("1000")
        int purgeBatchSize();

        /** How often the retention purge runs (quarkus-scheduler {@code every} syntax). */
        @WithDefault("1h")
        String purgeEvery();

        /** How often PayloadSealer seals payloads stored before payload encryption ({@code off}: never). */
        @WithDefault("1h")
        String sealEvery();

        /** How often the queue gauges (depth, oldest due age) are read from the database. */
        @WithDefault("15s")
        String gaugeRefreshEvery();
    }

    interface Liveness {
        /** /q/health/live is DOWN once an event loop has left a no-op given to it waiting this long. */
        @WithDefault("PT10S")
        Duration eventLoopStall();
    }

    /** Offboarding an org (DELETE /v1/admin/orgs/{orgId}; README, "Offboarding an org"). */
    interface Offboarding {
        /**
         * Rows removed per batch, each batch its own short transaction: subscriptions through the delete core,
         * events (with their deliveries), attempts, tombstones, clients, keys and event types.
         */
        @WithDefault("1000")
        int batchSize();

        /** How long DELETE waits for the offboarding to complete before it answers 202 with its status. */
        @WithDefault("PT10S")
        Duration answerWait();

        /**
         * How long an instance holds a running offboarding without renewing it (each batch renews it); past it,
         * another instance (or this one after a restart) takes the job over and goes on.
         */
        @WithDefault("PT30S")
        Duration lease();

        /** How often each instance looks for running offboardings whose lease ran out (quarkus-scheduler syntax). */
        @WithDefault("10s")
        String resumeEvery();
    }

    /** The relay of operational events (hookhub.subscription.deleted and the like) from the outbox into the org's stream. */
    interface OperationalEvents {
        /** How often the relay looks at the outbox (quarkus-scheduler {@code every} syntax); an empty outbox is one index read. */
        @WithDefault("1s")
        String relayEvery();

        /** Most outbox rows one relay transaction locks and publishes; a full batch is followed by the next at once. */
        @WithDefault("32")
        int relayBatchSize();
    }

    /**
     * How long each table keeps its rows (README, "Retention"); the purge runs every
     * {@code hookhub.delivery.purge-every}, {@code hookhub.delivery.purge-batch-size} rows per statement.
     */
    interface Retention {
        /**
         * Events with their payloads, by creation time; an event is kept while it has a queued or in-flight
         * delivery. Its deliveries go with it.
         */
        @WithDefault("P30D")
        Duration events();

        /** Finished deliveries (succeeded, failed, cancelled), by completion time. */
        @WithDefault("P30D")
        Duration deliveries();

        /** Delivery attempts (history), by attempt time. Unset: {@code hookhub.subscriptions.retention}. */
        Optional<Duration> attempts();

        /** Tombstones of deleted subscriptions, by deletion time. Unset: {@code hookhub.subscriptions.retention}. */
        Optional<Duration> tombstones();

        /** Audit records, by the time of the action. */
        @WithDefault("P400D")
        Duration audit();
    }
}

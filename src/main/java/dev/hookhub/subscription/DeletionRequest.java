package dev.hookhub.subscription;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * One delete, from any surface: what to delete, who asks (actor, surface, address — for the audit
 * record), how much history to return, an optional check run on the locked row before commit (a
 * failure rolls everything back), and an optional time limit after which nothing is changed.
 */
public record DeletionRequest(DeletionScope scope, String actor, String surface, String remoteAddress,
        int historyLimit, Consumer<DeletedSubscription> verifier, Duration timeout) {

    public static DeletionRequest of(DeletionScope scope, String actor, String surface, String remoteAddress) {
        return new DeletionRequest(scope, actor, surface, remoteAddress, 0, null, null);
    }

    public DeletionRequest withHistory(int limit) {
        return new DeletionRequest(scope, actor, surface, remoteAddress, limit, verifier, timeout);
    }

    public DeletionRequest verifiedBy(Consumer<DeletedSubscription> check) {
        return new DeletionRequest(scope, actor, surface, remoteAddress, historyLimit, check, timeout);
    }

    public DeletionRequest within(Duration limit) {
        return new DeletionRequest(scope, actor, surface, remoteAddress, historyLimit, verifier, limit);
    }
}

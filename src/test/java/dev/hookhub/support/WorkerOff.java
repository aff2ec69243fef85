package dev.hookhub.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * No delivery worker in this instance: rows a test queues stay as it wrote them, so it can assert what a request
 * changed in the queue without racing the engine. Tests of one profile share one started application.
 */
public class WorkerOff implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hookhub.delivery.worker-enabled", "false");
    }
}

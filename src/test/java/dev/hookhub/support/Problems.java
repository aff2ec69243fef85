package dev.hookhub.support;

import io.restassured.response.Response;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Problem-details answers (RFC 9457) as a MessagePack client reads them. */
public final class Problems {

    private Problems() {
    }

    /** Asserts a MessagePack problem of this status (Content-Type, Vary, status, title, detail) and returns its fields. */
    public static Map<String, Object> msgpack(Response response, int status, String title) {
        response.then().statusCode(status).contentType("application/x-msgpack").header("Vary", "Accept");
        Map<String, Object> problem = Msgpack.decodeMap(response.asByteArray());
        assertEquals((long) status, problem.get("status"));
        assertEquals(title, problem.get("title"));
        assertNotNull(problem.get("detail"), "a problem names what is wrong");
        return problem;
    }
}

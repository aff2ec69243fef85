package dev.hookhub.edge;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every spelling of a location keeps its path and loses the origin a request chose. */
class PublicLocationsTest {

    private final PublicLocations relative = new PublicLocations(Optional.empty());
    private final PublicLocations based = new PublicLocations(Optional.of("https://hooks.example.com/hookhub/"));

    @Test
    void theOriginIsDroppedOrReplaced() {
        String[][] cases = {
                {"http://evil.example/v1/subscriptions/1", "/v1/subscriptions/1"},
                {"https://evil.example:8443/v1/orgs/2?a=b#c", "/v1/orgs/2?a=b#c"},
                {"//evil.example/v1/orgs/3", "/v1/orgs/3"},
                {"http://localhost:8080//evil.example/v1/orgs/4", "/evil.example/v1/orgs/4"},
                {"///evil.example/x", "/evil.example/x"},
                {"http://evil.example", "/"},
                {"http://evil.example?x", "/?x"},
                {"http://u:p@evil.example/y", "/y"},
                {"/v1/orgs/5", "/v1/orgs/5"},
                {"/console/", "/console/"},
                {"console/", "console/"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], relative.publicLocation(c[0]), c[0]);
        }
        assertEquals("https://hooks.example.com/hookhub/v1/orgs/1", based.publicLocation("http://evil.example/v1/orgs/1"));
        assertEquals("https://hooks.example.com/hookhub/v1/orgs/1", based.publicLocation("/v1/orgs/1"));
    }

    @Test
    void aBaseMustBeAnAbsoluteHttpUrl() {
        for (String bad : new String[] {"hooks.example.com", "ftp://hooks.example.com", "https://h.example/?q=1",
                "https://u:p@h.example", "/relative", "https://"}) {
            assertThrows(IllegalStateException.class, () -> new PublicLocations(Optional.of(bad)), bad);
        }
        assertEquals("https://h.example/x", new PublicLocations(Optional.of("https://h.example")).publicLocation("/x"));
    }
}

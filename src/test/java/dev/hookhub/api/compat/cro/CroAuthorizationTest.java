package dev.hookhub.api.compat.cro;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written check of CRO's Authorization header says exactly what CRO's regex says: the regex is
 * the oracle, over chosen cases and a million random headers built from the characters that matter.
 */
class CroAuthorizationTest {

    private static final Pattern ORACLE = Pattern.compile(CroDeleteRequest.AUTHORIZATION_PATTERN, Pattern.CASE_INSENSITIVE);

    @Test
    void chosenHeadersAnswerAsTheRegex() {
        for (String header : List.of("bearer a.b", "Bearer a.b", "BEARER A.B", "bEaReR x-_=.y", "Bearer a.b.c", "Bearer a.b.",
                "Bearer a.b..", "Bearer a.b+/=.", "Bearer a.bc.d.e.f", "Bearer ey.J9.sig-_=", "Bearer a.", "Bearer .b",
                "Bearer a..b", "Bearer a.+b", "Bearer a./", "Bearer ab", "Bearer ", "Bearer", "bearer  a.b", "Bearer\ta.b",
                "Bearer a.b c", "Bearer a.b\n", "Bearer a!.b", "Bearer a.b!", "Basic a.b", "xbearer a.b", "Bearer a.b\u00e9",
                "Bearer \u212a.b", "Bearer a.\u0131", "Bearera.b", "", "b", "Bearer +.b", "Bearer a.=+")) {
            assertEquals(ORACLE.matcher(header).matches(), CroDeleteRequest.wellFormed(header), header);
        }
        assertTrue(CroDeleteRequest.wellFormed("Bearer a.b"));
        assertFalse(CroDeleteRequest.wellFormed("Bearer a"));
    }

    @Test
    void randomHeadersAnswerAsTheRegex() {
        Random random = new Random(20261126);
        String[] prefixes = {"bearer ", "Bearer ", "BEARER ", "bearer", "Bearer  ", "Basic ", "", "beare ", "bEaReR "};
        String alphabet = "aZ09-_=.+/ !é\u212a";
        int matched = 0;
        for (int n = 0; n < 1_000_000; n++) {
            StringBuilder header = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
            int length = random.nextInt(9);
            for (int i = 0; i < length; i++) {
                // Mostly segment characters, so that well-formed headers are common.
                header.append(random.nextInt(3) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : alphabet.charAt(random.nextInt(7)));
            }
            String h = header.toString();
            boolean expected = ORACLE.matcher(h).matches();
            assertEquals(expected, CroDeleteRequest.wellFormed(h), h);
            matched += expected ? 1 : 0;
        }
        assertTrue(matched > 10_000, "the random headers include enough well-formed ones: " + matched);
    }
}

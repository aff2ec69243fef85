package dev.hookhub.api.compat.cro;

import dev.hookhub.negotiation.Problem;
import dev.hookhub.negotiation.ProblemException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CRO's header grammar without a server: what is accepted, and the exact problem of each refusal, in order. */
class CroDeleteRequestTest {

    private static final String BEARER = "Bearer aaa.bbb.ccc";
    private static final int MAX = 256;

    @Test
    void wellFormedHeadersGiveTheTenantAndTheHook() {
        assertEquals(new CroDeleteRequest(7, 42), parse("42", BEARER, "7", null));
        assertEquals(new CroDeleteRequest(7, 42), parse("0042", "bearer a.b", "007", "2023/04/19"));
        assertEquals(new CroDeleteRequest(999_999_999_999_999_999L, 1),
                parse("1", BEARER, "999999999999999999", "2019/02/08"));
        assertEquals(new CroDeleteRequest(7, 42), CroDeleteRequest.parse("42", BEARER, "7", null, null, new byte[0],
                MAX, null), "an empty body is no body");
    }

    @Test
    void theAuthorizationHeaderIsJudgedFirst() {
        refused(401, "The Authorization header is required (Authorization: Bearer <token>)", "x", null, "x", "x");
        refused(401, "The Authorization header is required (Authorization: Bearer <token>)", "x", "", "x", "x");
        String tooLong = "Bearer a." + "b".repeat(MAX);
        refused(400, "Header 'Authorization' must be at most 256 characters, got " + tooLong.length(),
                "x", tooLong, "x", "x");
        refused(400, "Header 'Authorization' must be 'Bearer ' and a token (" + CroDeleteRequest.AUTHORIZATION_PATTERN
                + ", any case)", "x", "Basic a.b", "x", "x");
    }

    @Test
    void thenTheTenantTheVersionAndTheHook() {
        refused(400, "Header 'x-tenant-id' is required (a positive integer)", "x", BEARER, null, "x");
        refused(400, "Header 'x-tenant-id' must be a positive integer, got '0'", "x", BEARER, "0", "x");
        refused(400, "Header 'x-tenant-id' must be a positive integer, got '-1'", "x", BEARER, "-1", "x");
        refused(400, "Header 'x-tenant-id' must be a positive integer, got '1234567890123456789'", "x", BEARER,
                "1234567890123456789", "x");
        refused(400, "Header 'x-api-version' must be one of 2019/02/08, 2021/04/07, 2021/05/07, 2021/08/02, "
                + "2021/11/04, 2023/04/19, got '2020/01/01'", "x", BEARER, "7", "2020/01/01");
        refused(400, "Path parameter 'hook_id' must be a positive integer, got 'x'", "x", BEARER, "7", null);
        refused(400, "Path parameter 'hook_id' is required (a positive integer)", "", BEARER, "7", null);
    }

    @Test
    void aBodyNeedsAContentType() {
        ProblemException e = assertThrows(ProblemException.class, () -> CroDeleteRequest.parse("42", BEARER, "7", null,
                null, "{}".getBytes(), MAX, null));
        assertEquals(415, e.problem().status());
        assertEquals("A Content-Type is required with a body: send no body, or {} as application/json",
                e.problem().detail());
    }

    private static CroDeleteRequest parse(String hookId, String authorization, String tenantId, String apiVersion) {
        return CroDeleteRequest.parse(hookId, authorization, tenantId, apiVersion, null, null, MAX, null);
    }

    private static void refused(int status, String detail, String hookId, String authorization, String tenantId,
            String apiVersion) {
        Problem problem = assertThrows(ProblemException.class,
                () -> parse(hookId, authorization, tenantId, apiVersion), detail).problem();
        assertEquals(status, problem.status(), detail);
        assertEquals(detail, problem.detail());
    }
}

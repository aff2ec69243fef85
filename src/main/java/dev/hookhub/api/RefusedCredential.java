package dev.hookhub.api;

import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.tenancy.Callers;

/**
 * A credential {@link Callers} refused, as /v1 and the dialects that answer 401 in problem details word it.
 * tenancy/ only says why it refused; this is where that becomes a status.
 */
public final class RefusedCredential {

    private RefusedCredential() {
    }

    /** 401 naming why (missing or invalid alike). */
    public static ProblemException problem(Callers.Refused refused) {
        return ProblemException.unauthorized(refused.getMessage());
    }
}

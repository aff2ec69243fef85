package dev.hookhub.negotiation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body up to the configured limit; past it, a 413 problem. */
public final class BodyLimit {

    private BodyLimit() {
    }

    public static byte[] readAll(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > limit) {
                throw tooLarge(limit);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    public static ProblemException tooLarge(int limit) {
        return new ProblemException(Problem.of(413, "Content Too Large",
                "The request body is larger than the limit of " + limit + " bytes"));
    }
}

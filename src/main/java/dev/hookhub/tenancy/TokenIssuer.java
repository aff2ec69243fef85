package dev.hookhub.tenancy;

import dev.hookhub.HookhubConfig;
import io.quarkus.runtime.Startup;
import io.vertx.core.json.Json;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Signs hookhub's access tokens (POST /oauth/token, Identity Cloud's login, the console's operator
 * tokens): compact JWS tokens that say only who the caller is, so that {@code Bearer <token>} stays within
 * CRO's 256 characters. Header {@code {"alg":"ES256","kid":"<8>"}}, claims {@code iss}, {@code sub},
 * {@code iat}, {@code exp} and nothing else; the org and roles are looked up from the subject when the token
 * is used ({@link Callers}), which is also what makes a revoked client's tokens stop working.
 * <p>
 * Subjects: an API client's {@code clientId} ({@code hhc_} and 16 characters), or {@code op:<org number>:<role
 * initials>} for the operator acting in one org. With the default issuer "hookhub" and an ES256 key, the
 * longest token is 238 characters (README, "Tokens"); at start the issuer refuses a configuration whose
 * longest token would exceed {@code hookhub.token.max-length} (default 249, CRO's 256 less "Bearer ").
 */
@Startup
@ApplicationScoped
public class TokenIssuer {

    /** The prefix of an operator's subject. */
    static final String OPERATOR_PREFIX = "op:";
    /** The longest subject issued: a client id ({@code hhc_} and 12 random bytes in base64url). */
    static final String LONGEST_SUBJECT = "hhc_" + "x".repeat(16);
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    /** Seconds since the epoch stay 10 digits until 2286. */
    private static final long TEN_DIGITS = 9_999_999_999L;

    private final HookhubConfig config;
    private final TokenKeys keys;
    private final Clock clock;
    private final String encodedHeader;

    @jakarta.inject.Inject
    public TokenIssuer(HookhubConfig config, TokenKeys keys) {
        this(config, keys, Clock.systemUTC());
    }

    TokenIssuer(HookhubConfig config, TokenKeys keys, Clock clock) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        this.encodedHeader = keys.signingKey().isEmpty() ? null
                : encode("{\"alg\":\"" + keys.signingAlgorithm() + "\",\"kid\":" + Json.encode(keys.current().orElseThrow().kid()) + "}");
        if (enabled()) {
            int longest = sign(LONGEST_SUBJECT, TEN_DIGITS, TEN_DIGITS).length();
            int max = config.token().maxLength();
            if (longest > max) {
                throw new IllegalStateException("hookhub's longest token would be " + longest + " characters, over "
                        + "HOOKHUB_TOKEN_MAX_LENGTH (" + max + "; CRO's Authorization header holds 256 with 'Bearer '):"
                        + " use an EC P-256 key in " + TokenKeys.SIGNING_VARIABLE + " (an RSA key's signature alone is "
                        + "342 characters) and a short HOOKHUB_TOKEN_ISSUER");
            }
        }
    }

    public boolean enabled() {
        return config.token().issuingEnabled() && encodedHeader != null;
    }

    public long lifetimeSeconds() {
        return config.token().lifetime().toSeconds();
    }

    /** A token for an API client, valid for {@link #lifetimeSeconds()}. */
    public String issue(ApiClient client) {
        return issue(client.clientId, lifetimeSeconds());
    }

    /**
     * A token for the operator (admin token holder) acting inside one org with the given roles, e.g. from
     * the console. No stored credential is behind it: it ends with its (short) lifetime or a key rotation.
     */
    public String issueForOperator(int orgNumber, Set<Role> roles, long seconds) {
        StringBuilder subject = new StringBuilder(OPERATOR_PREFIX).append(orgNumber).append(':');
        for (Role role : EnumSet.copyOf(roles)) {
            subject.append(role.name().charAt(0));
        }
        return issue(subject.toString(), seconds);
    }

    /** The org number and roles of an operator subject ({@code op:12:AD}), when it is one. */
    public static Optional<OperatorSubject> operatorSubject(String subject) {
        if (subject == null || !subject.startsWith(OPERATOR_PREFIX)) {
            return Optional.empty();
        }
        int colon = subject.indexOf(':', OPERATOR_PREFIX.length());
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            int number = Integer.parseInt(subject.substring(OPERATOR_PREFIX.length(), colon));
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (char initial : subject.substring(colon + 1).toCharArray()) {
                Role role = List.of(Role.values()).stream().filter(r -> r.name().charAt(0) == initial).findFirst()
                        .orElse(null);
                if (role == null) {
                    return Optional.empty();
                }
                roles.add(role);
            }
            return roles.isEmpty() ? Optional.empty() : Optional.of(new OperatorSubject(number, roles));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The org number and roles an operator token was issued for. */
    public record OperatorSubject(int orgNumber, Set<Role> roles) {
    }

    private String issue(String subject, long seconds) {
        long now = clock.millis() / 1000;
        return sign(subject, now, now + seconds);
    }

    private String sign(String subject, long issuedAt, long expiresAt) {
        String claims = "{\"iss\":" + Json.encode(config.token().issuer()) + ",\"sub\":" + Json.encode(subject)
                + ",\"iat\":" + issuedAt + ",\"exp\":" + expiresAt + "}";
        String signingInput = encodedHeader + "." + encode(claims);
        return signingInput + "." + URL.encodeToString(keys.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}

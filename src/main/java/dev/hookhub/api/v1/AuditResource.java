package dev.hookhub.api.v1;

import dev.hookhub.HookhubConfig;
import dev.hookhub.api.Access;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.AuditRecord;
import dev.hookhub.tenancy.AuditRepository;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * GET /v1/audit: the caller's org's audit trail, newest first, cursor paged like the other /v1 lists, narrowed
 * by action, subscription and time (README, "Event erasure and the audit trail"). Admin role only.
 */
@Path("/v1/audit")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class AuditResource {

    /** What an action name looks like ({@code subscription.delete}, {@code api_key.revoked}); any such name is a valid filter. */
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z_]*(\\.[a-z][a-z_]*)+");
    private static final int MAX_ACTION = 100;

    private final V1Access access;
    private final AuditRepository audit;
    private final HookhubConfig config;

    public AuditResource(V1Access access, AuditRepository audit, HookhubConfig config) {
        this.access = access;
        this.audit = audit;
        this.config = config;
    }

    @Access(Access.Who.ADMIN)
    @GET
    public Uni<V1Dtos.AuditPage> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("action") String action, @QueryParam("subscriptionId") String subscriptionId,
            @QueryParam("since") String since, @QueryParam("until") String until) {
        int pageSize = V1Paging.pageSize(limit, config);
        Long before = V1Paging.decodeCursor(cursor, Long::valueOf);
        AuditRepository.Filter filter = new AuditRepository.Filter(action(action),
                subscriptionId(subscriptionId),
                time("since", since), time("until", until));
        if (filter.since() != null && filter.until() != null && !filter.since().isBefore(filter.until())) {
            throw ProblemException.badRequest("Query parameter 'since' must be before 'until'");
        }
        return access.admin()
                .flatMap(caller -> audit.page(caller.orgId(), filter, before, pageSize + 1))
                .map(rows -> {
                    V1Paging.Slice<AuditRecord> page = V1Paging.slice(rows, pageSize, r -> String.valueOf(r.id));
                    return new V1Dtos.AuditPage(page.map(V1Mapper::view), page.nextCursor());
                });
    }

    private static UUID subscriptionId(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return Ids.parse(value).orElseThrow(() -> ProblemException.badRequest("Query parameter 'subscriptionId' must be a UUID"));
    }

    private static String action(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > MAX_ACTION || !ACTION.matcher(value).matches()) {
            throw ProblemException.badRequest("Query parameter 'action' must be an action name such as"
                    + " 'subscription.delete' (lower-case words joined by dots)");
        }
        return value;
    }

    /** An ISO-8601 date-time with an offset ({@code 2026-12-05T17:00:00Z}); null when absent; 400 naming the field. */
    private static Instant time(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("Query parameter '" + name
                    + "' must be an ISO-8601 date-time with an offset, such as 2026-12-05T17:00:00Z");
        }
    }
}

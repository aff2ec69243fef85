package dev.hookhub.api.v1;

import dev.hookhub.api.Access;
import dev.hookhub.api.OAuthToken;
import dev.hookhub.HookhubConfig;
import dev.hookhub.negotiation.ProblemException;
import dev.hookhub.negotiation.WireFormat;
import dev.hookhub.offboarding.Offboarding;
import dev.hookhub.offboarding.OrgOffboarding;
import dev.hookhub.offboarding.Removed;
import dev.hookhub.support.ClientAddress;
import dev.hookhub.support.Ids;
import dev.hookhub.tenancy.Credentials;
import dev.hookhub.tenancy.Organization;
import dev.hookhub.tenancy.Requester;
import dev.hookhub.tenancy.Role;
import dev.hookhub.tenancy.Tenancy;
import dev.hookhub.tenancy.TokenIssuer;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * /v1/admin: the operator (admin token) lists and creates orgs, API clients, API keys and org tokens,
 * lists, revokes and rotates the credentials (README, "Credential administration"), and offboards orgs
 * (README, "Offboarding an org").
 */
@Path("/v1/admin/orgs")
@Produces({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
@Consumes({MediaType.APPLICATION_JSON, WireFormat.MSGPACK_TYPE})
public class AdminResource {

    static final long OPERATOR_TOKEN_SECONDS = 900;
    /** The surface credential changes are audited with (actor {@code operator}). */
    static final String SURFACE = "v1-admin";
    /** Names of orgs, API clients and API keys. */
    static final int MAX_NAME = 200;

    private final Tenancy tenancy;
    private final Credentials credentials;
    private final TokenIssuer issuer;
    private final HookhubConfig config;
    private final OrgOffboarding offboarding;

    public AdminResource(Tenancy tenancy, Credentials credentials, TokenIssuer issuer, HookhubConfig config,
            OrgOffboarding offboarding) {
        this.tenancy = tenancy;
        this.credentials = credentials;
        this.issuer = issuer;
        this.config = config;
        this.offboarding = offboarding;
    }

    @Access(Access.Who.OPERATOR)
    @POST
    public Uni<RestResponse<V1Dtos.OrgView>> createOrg(V1Dtos.OrgCreate body, @Context HttpServerRequest http) {
        String name = body == null || body.name() == null ? "" : body.name().strip();
        if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.invalidField("name", "must be 1 to " + MAX_NAME + " printable characters");
        }
        return tenancy.createOrg(name, operator(http)).map(org -> RestResponse.ResponseBuilder
                .<V1Dtos.OrgView>created(URI.create("/v1/orgs/" + org.id))
                .entity(view(org))
                .build());
    }

    /** The orgs, in number order, cursor paged (for the console's org picker). */
    @Access(Access.Who.OPERATOR)
    @GET
    public Uni<V1Dtos.OrgPage> listOrgs(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        int pageSize = V1Paging.pageSize(limit, config);
        Integer after = V1Paging.decodeCursor(cursor, Integer::valueOf);
        return tenancy.orgs(after, pageSize + 1).map(rows -> {
            V1Paging.Slice<Organization> page = V1Paging.slice(rows, pageSize, org -> String.valueOf(org.number));
            return new V1Dtos.OrgPage(page.map(AdminResource::view), page.nextCursor());
        });
    }

    /**
     * A short-lived bearer token (15 minutes) for the operator inside one org: how the console, signed in
     * with the admin token, reads and changes an org's subscriptions through the same /v1 checks as any
     * client. Roles as for clients (default Admin); no credential is stored. 404 for an unknown org.
     */
    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/{orgId}/tokens")
    public Uni<OAuthToken.Answer> operatorToken(@PathParam("orgId") String orgId, V1Dtos.CredentialCreate body) {
        UUID org = V1Access.id("orgId", orgId);
        Set<Role> roles = roles(body);
        if (!issuer.enabled()) {
            throw ProblemException.conflict("This service does not issue tokens; use the configured OIDC provider");
        }
        return tenancy.orgNumber(org)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No org " + org))
                .map(number -> OAuthToken.Answer.bearer(issuer.issueForOperator(number, roles, OPERATOR_TOKEN_SECONDS),
                        OPERATOR_TOKEN_SECONDS));
    }

    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/{orgId}/clients")
    public Uni<RestResponse<V1Dtos.ClientView>> createClient(@PathParam("orgId") String orgId, V1Dtos.CredentialCreate body,
            @Context HttpServerRequest http) {
        UUID org = V1Access.id("orgId", orgId);
        Set<Role> roles = roles(body);
        return tenancy.createClient(org, credentialName(body), roles, operator(http))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No org " + org))
                .map(c -> RestResponse.status(RestResponse.Status.CREATED, new V1Dtos.ClientView(c.id(), c.orgId(),
                        c.publicId(), c.secret(), c.name(), Tenancy.roleNames(c.roles()), c.createdAt())));
    }

    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/{orgId}/api-keys")
    public Uni<RestResponse<V1Dtos.ApiKeyView>> createApiKey(@PathParam("orgId") String orgId, V1Dtos.CredentialCreate body,
            @Context HttpServerRequest http) {
        UUID org = V1Access.id("orgId", orgId);
        Set<Role> roles = roles(body);
        return tenancy.createApiKey(org, credentialName(body), roles, operator(http))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No org " + org))
                .map(k -> RestResponse.status(RestResponse.Status.CREATED, new V1Dtos.ApiKeyView(k.id(), k.orgId(),
                        k.secret(), k.publicId(), k.name(), Tenancy.roleNames(k.roles()), k.createdAt())));
    }

    /** The org's API clients, oldest first, cursor paged; never a secret. 404 for an unknown org. */
    @Access(Access.Who.OPERATOR)
    @GET
    @Path("/{orgId}/clients")
    public Uni<V1Dtos.ClientPage> listClients(@PathParam("orgId") String orgId, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        UUID org = V1Access.id("orgId", orgId);
        int pageSize = V1Paging.pageSize(limit, config);
        UUID after = V1Paging.decodeCursor(cursor, text -> Ids.parse(text).orElseThrow());
        return credentials.clients(org, after, pageSize + 1)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No org " + org))
                .map(rows -> {
                    V1Paging.Slice<Credentials.ClientState> page = V1Paging.slice(rows, pageSize, c -> c.id().toString());
                    return new V1Dtos.ClientPage(page.map(c -> item(c, null)), page.nextCursor());
                });
    }

    /** The org's API keys, oldest first, cursor paged; the prefix, never the key. 404 for an unknown org. */
    @Access(Access.Who.OPERATOR)
    @GET
    @Path("/{orgId}/api-keys")
    public Uni<V1Dtos.ApiKeyPage> listApiKeys(@PathParam("orgId") String orgId, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        UUID org = V1Access.id("orgId", orgId);
        int pageSize = V1Paging.pageSize(limit, config);
        UUID after = V1Paging.decodeCursor(cursor, text -> Ids.parse(text).orElseThrow());
        return credentials.keys(org, after, pageSize + 1)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No org " + org))
                .map(rows -> {
                    V1Paging.Slice<Credentials.KeyState> page = V1Paging.slice(rows, pageSize, k -> k.id().toString());
                    return new V1Dtos.ApiKeyPage(page.map(AdminResource::item), page.nextCursor());
                });
    }

    /**
     * Revokes a client, named by its client id or its id: 200 with the client; no new tokens, and its tokens
     * refused at once here and within hookhub.auth.verified-token-cache-time elsewhere. Revoking again
     * answers the first revocation. Any body is ignored. 404 for an unknown client or another org's.
     */
    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/{orgId}/clients/{client}/revoke")
    @Consumes(MediaType.WILDCARD)
    public Uni<V1Dtos.ClientItem> revokeClient(@PathParam("orgId") String orgId, @PathParam("client") String client,
            @Context HttpServerRequest http) {
        UUID org = V1Access.id("orgId", orgId);
        return credentials.revokeClient(org, client, operator(http))
                .onItem().ifNull().failWith(() -> noClient(org, client))
                .map(state -> item(state, null));
    }

    /**
     * A new secret for a live client, named by its client id or its id: 200 with the client and
     * {@code clientSecret}, shown this once. Tokens issued before stay valid until they expire. 409 for a
     * revoked client; 404 as for revoke. Any body is ignored.
     */
    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/{orgId}/clients/{client}/rotate-secret")
    @Consumes(MediaType.WILDCARD)
    public Uni<V1Dtos.ClientItem> rotateClientSecret(@PathParam("orgId") String orgId, @PathParam("client") String client,
            @Context HttpServerRequest http) {
        UUID org = V1Access.id("orgId", orgId);
        return credentials.rotateSecret(org, client, operator(http))
                .onFailure(Credentials.ClientIsRevoked.class).transform(e -> ProblemException.conflict(e.getMessage()))
                .onItem().ifNull().failWith(() -> noClient(org, client))
                .map(rotated -> item(rotated.client(), rotated.secret()));
    }

    /** Revokes an API key by its id (a UUID; 400 otherwise): 200 with the key, idempotent. 404 as for clients. */
    @Access(Access.Who.OPERATOR)
    @POST
    @Path("/{orgId}/api-keys/{keyId}/revoke")
    @Consumes(MediaType.WILDCARD)
    public Uni<V1Dtos.ApiKeyItem> revokeApiKey(@PathParam("orgId") String orgId, @PathParam("keyId") String keyId,
            @Context HttpServerRequest http) {
        UUID org = V1Access.id("orgId", orgId);
        UUID key = V1Access.id("keyId", keyId);
        return credentials.revokeKey(org, key, operator(http))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No API key " + key + " in org " + org))
                .map(AdminResource::item);
    }

    private static Requester operator(HttpServerRequest http) {
        return Requester.operator(SURFACE, ClientAddress.of(http));
    }

    private static ProblemException noClient(UUID org, String client) {
        return ProblemException.notFound("No API client '" + client + "' in org " + org);
    }

    private static V1Dtos.ClientItem item(Credentials.ClientState c, String secret) {
        return new V1Dtos.ClientItem(c.id(), c.orgId(), c.clientId(), c.name(), Tenancy.roleNames(c.roles()),
                c.createdAt(), c.revokedAt(), c.secretRotatedAt(), secret);
    }

    private static V1Dtos.ApiKeyItem item(Credentials.KeyState k) {
        return new V1Dtos.ApiKeyItem(k.id(), k.orgId(), k.prefix(), k.name(), Tenancy.roleNames(k.roles()),
                k.createdAt(), k.revokedAt());
    }

    static V1Dtos.OrgView view(Organization org) {
        return new V1Dtos.OrgView(org.id, org.number, org.name, org.createdAt,
                org.offboardedAt == null ? "active" : "offboarding");
    }

    /** A credential's optional label. */
    private static String credentialName(V1Dtos.CredentialCreate body) {
        String name = body == null ? null : body.name();
        if (name != null && name.length() > MAX_NAME) {
            throw ProblemException.invalidField("name", "must be at most " + MAX_NAME + " characters");
        }
        return name;
    }

    /** Roles default to Admin; unknown names are refused rather than dropped. */
    private static Set<Role> roles(V1Dtos.CredentialCreate body) {
        List<String> names = body == null || body.roles() == null ? List.of(Role.Admin.name()) : body.roles();
        if (names.isEmpty()) {
            throw ProblemException.invalidField("roles", "must name at least one of Admin, Dispatcher, Viewer");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names) {
            roles.add(Role.parse(name).orElseThrow(() -> ProblemException.invalidField("roles",
                    "'" + name + "' is not one of Admin, Dispatcher, Viewer")));
        }
        return roles;
    }

    /**
     * Offboards the org (README, "Offboarding an org"): from the start it accepts nothing, and everything of it
     * is removed in batches but the audit records. Waits up to hookhub.offboarding.answer-wait: 200 with what was
     * removed when it completed, else 202 with the status so far and its Location. 409 while an offboarding of
     * the org runs; 404 for an unknown org, or one already offboarded. Any body is ignored.
     */
    @Access(Access.Who.OPERATOR)
    @DELETE
    @Path("/{orgId}")
    @Consumes(MediaType.WILDCARD)
    public Uni<RestResponse<V1Dtos.OffboardingView>> offboard(@PathParam("orgId") String orgId,
            @Context HttpServerRequest http) {
        UUID org = V1Access.id("orgId", orgId);
        return offboarding.start(org, operator(http)).flatMap(start -> switch (start.outcome()) {
            case NO_SUCH_ORG -> Uni.createFrom().failure(ProblemException.notFound("No org " + org));
            case ALREADY_RUNNING -> Uni.createFrom().failure(ProblemException.conflict("Org " + org
                    + " is being offboarded since " + start.status().startedAt + " (step " + start.status().step
                    + "); its progress is at " + offboardingPath(org)));
            case STARTED -> offboarding.awaitCompletion(org).map(status -> status.completed()
                    ? RestResponse.ok(offboardingView(status))
                    : RestResponse.ResponseBuilder.accepted(offboardingView(status))
                            .location(URI.create(offboardingPath(org))).build());
        });
    }

    /** The org's offboarding, running or completed (it answers after the org is gone); 404 when never asked for. */
    @Access(Access.Who.OPERATOR)
    @GET
    @Path("/{orgId}/offboarding")
    public Uni<V1Dtos.OffboardingView> offboardingStatus(@PathParam("orgId") String orgId) {
        UUID org = V1Access.id("orgId", orgId);
        return offboarding.status(org)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("No offboarding of org " + org))
                .map(AdminResource::offboardingView);
    }

    private static String offboardingPath(UUID org) {
        return "/v1/admin/orgs/" + org + "/offboarding";
    }

    private static V1Dtos.OffboardingView offboardingView(Offboarding o) {
        Removed r = o.removed();
        return new V1Dtos.OffboardingView(o.orgId, o.status, o.step, o.requestedBy, o.startedAt, o.finishedAt,
                new V1Dtos.OffboardingRemoved(r.subscriptions(), r.deliveriesCancelled(), r.deliveries(), r.events(),
                        r.attempts(), r.tombstones(), r.clients(), r.apiKeys(), r.eventTypes()));
    }
}

package dev.hookhub.tenancy;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How quarkus-oidc verifies hookhub's own tokens: as it verifies any OIDC provider's, by the {@code kid} of
 * each token in a JWK set. quarkus-oidc's local {@code public-key} mode takes one RSA key only; ES256 keys,
 * and the several keys of a rotation, need a JWK set, which it reads over HTTP. So this instance serves its
 * JWK set ({@link TokenKeys#jwks()}) to itself on a loopback-only port, and quarkus-oidc reads it from there
 * (tenant {@code hookhub}, created on the first token). The same JWK set is public under
 * {@code /.well-known/jwks.json} for other services and other hookhub instances.
 * <p>
 * When {@code quarkus.oidc.auth-server-url} names an external provider (Keycloak, or another hookhub), this
 * resolver steps aside and quarkus-oidc's default tenant verifies against that provider.
 */
@ApplicationScoped
public class OwnIssuerTenant implements TenantConfigResolver {

    static final String TENANT = "hookhub";
    static final String JWKS_PATH = "/jwks";
    private static final Logger LOG = Logger.getLogger(OwnIssuerTenant.class);

    private final TokenKeys keys;
    private final String issuer;
    private final boolean external;
    private volatile HttpServer server;
    private volatile Uni<OidcTenantConfig> tenant;

    public OwnIssuerTenant(TokenKeys keys,
            @ConfigProperty(name = "hookhub.token.issuer") String issuer,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServerUrl) {
        this.keys = keys;
        this.issuer = issuer;
        this.external = authServerUrl.filter(u -> !u.isBlank()).isPresent();
    }

    void start(@Observes StartupEvent event) {
        if (!external && !keys.all().isEmpty()) {
            tenant();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        HttpServer running = server;
        if (running != null) {
            running.stop(0);
        }
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
        if (external || keys.all().isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        Uni<OidcTenantConfig> ready = tenant;
        return ready != null ? ready : tenant();
    }

    /** The tenant's configuration, once the loopback JWK set listens (started once, at start-up). */
    private synchronized Uni<OidcTenantConfig> tenant() {
        if (tenant == null) {
            // The JDK's own HTTP server, one thread: the application's Vert.x instruments its HTTP servers for
            // the application's metrics, which must not count (nor clash with) this loopback listener, and a
            // Vert.x of its own would cost its event loop and buffer pools for one request per start.
            HttpServer started;
            try {
                started = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException("The loopback JWK set for hookhub's own tokens could not listen", e);
            }
            byte[] jwks = Json.encode(keys.jwks()).getBytes(StandardCharsets.UTF_8);
            started.createContext(JWKS_PATH, exchange -> {
                try (exchange) {
                    if (!JWKS_PATH.equals(exchange.getRequestURI().getPath())) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, jwks.length);
                    exchange.getResponseBody().write(jwks);
                }
            });
            started.start();
            server = started;
            int port = started.getAddress().getPort();
            LOG.debugf("hookhub's JWK set for its own token checks listens on 127.0.0.1:%d", port);
            OidcTenantConfig config = OidcTenantConfig.builder()
                    .tenantId(TENANT)
                    .applicationType(io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType.SERVICE)
                    .authServerUrl("http://127.0.0.1:" + port)
                    .discoveryEnabled(false)
                    .jwksPath(JWKS_PATH)
                    .token().issuer(issuer).end()
                    .build();
            tenant = Uni.createFrom().item(config).memoize().indefinitely();
        }
        return tenant;
    }
}

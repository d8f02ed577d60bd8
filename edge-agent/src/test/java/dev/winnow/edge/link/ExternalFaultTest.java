package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.auth.DeviceRegistry;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.external.Mosquitto;
import dev.winnow.server.external.Postgres;
import dev.winnow.server.store.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link FaultTests} against the production set-up: Mosquitto and PostgreSQL as real processes on loopback
 * (one PostgreSQL cluster for the class, a fresh database and a fresh Mosquitto per scenario), configured
 * as the control server's README says. The ingest's service account and the devices are enrolled by the
 * server; Mosquitto's password and ACL files are then written by the server's own {@code MosquittoFiles}
 * and reloaded with SIGHUP.
 *
 * <p>The broker outage here really stops the Mosquitto process (SIGTERM; it saves its sessions) for the
 * outage and starts it again while the server keeps running; the server restarts run against the same
 * PostgreSQL database. The outage length: see {@link FaultTests} ({@code -Dwinnow.fault.outage-s=60}).
 *
 * <p>Skipped when Mosquitto or PostgreSQL is not installed, unless {@code WINNOW_EXTERNAL_TESTS=required}
 * (CI), which makes that a failure.
 */
class ExternalFaultTest extends FaultTests {

    private static Postgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        Mosquitto.binary(); // skip (or fail) before starting anything
        postgres = Postgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected Rig rig(final Path dir) throws Exception {
        return new MosquittoPostgres(dir, postgres.createDatabase());
    }

    private static final class MosquittoPostgres implements Rig {
        private final Mosquitto mosquitto;
        private final ServerConfig config;
        private WinnowServer server;

        MosquittoPostgres(final Path dir, final Postgres.Db db) throws Exception {
            // as an operator does: `winnow-server enrol --service`, `mosquitto-files`, then start the server
            final Credentials ingest;
            final Mosquitto m;
            try (Database d = Database.open(db.jdbcUrl(), db.user(), db.password())) {
                final DeviceRegistry registry = new DeviceRegistry(d);
                ingest = registry.enrolService("winnow-ingest", true);
                m = Mosquitto.start(registry);
            }
            mosquitto = m;
            config = ServerConfig.ephemeral(dir).withMqttUrl(mosquitto.url())
                    .withDb(db.jdbcUrl(), db.user(), db.password())
                    .withSecurity(SecurityConfig.production().withMqttCredentials(ingest.username(), ingest.password()));
            try {
                server = WinnowServer.start(config);
            } catch (RuntimeException e) {
                mosquitto.close();
                throw new AssertionError("the server did not start on Mosquitto: " + e + "\n" + mosquitto.logTail(), e);
            }
            assertThat(server.mqttPort()).as("no embedded broker").isEqualTo(-1);
            assertThat(server.mqttUrl()).isEqualTo(mosquitto.url());
        }

        @Override
        public WinnowServer server() {
            return server;
        }

        @Override
        public String deviceUrl() {
            return mosquitto.url();
        }

        @Override
        public Credentials enrol(final String device) throws Exception {
            final Credentials c = server.devices().enrol(SITE, LINE, device);
            mosquitto.refresh(server.devices(), c); // regenerate passwd and acl, SIGHUP, wait until c may log in
            return c;
        }

        @Override
        public void stopBroker() throws Exception {
            mosquitto.stop();
        }

        @Override
        public void startBroker() throws Exception {
            mosquitto.start();
        }

        @Override
        public void restartServer() {
            server.close();
            server = WinnowServer.start(config); // same PostgreSQL database, same ingest session on Mosquitto
        }

        /** The server stays up through the broker outage and says what is missing. */
        @Override
        public void duringOutage() throws Exception {
            final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.httpUrl() + "api/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("health during the outage: " + r.body()).isEqualTo(503);
            final JsonNode h = WireCodec.mapper().readTree(r.body());
            assertThat(h.path("status").asText()).isEqualTo("degraded");
            assertThat(h.at("/ingest/connected").asBoolean()).isFalse();
            assertThat(h.at("/db/up").asBoolean()).as("PostgreSQL is unaffected").isTrue();
        }

        @Override
        public int minAgentReconnects() {
            return 1; // the server restarts do not touch the agent's connection to Mosquitto
        }

        @Override
        public void foreignSubscription(final boolean refused) {
            // Mosquitto 2.0 grants a subscription whatever the ACL says and filters each message on delivery
            // ("topic read" is checked per message), so the SUBACK proves nothing either way; the test's
            // other assertions show the intruder receives nothing of the victim's.
        }

        @Override
        public void afterImpersonation() {
            // Mosquitto keeps no counters the test can read; the store and the inbox were checked
        }

        @Override
        public String diagnostics() {
            return "mosquitto log:\n" + mosquitto.logTail();
        }

        @Override
        public void close() throws Exception {
            try {
                server.close();
            } finally {
                mosquitto.close();
            }
        }
    }
}

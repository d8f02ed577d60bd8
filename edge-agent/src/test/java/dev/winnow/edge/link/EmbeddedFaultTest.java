package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import java.nio.file.Path;

/**
 * {@link FaultTests} against the default set-up: the control server with its embedded HiveMQ broker
 * (device authentication and ACLs enforced by the server itself) and embedded H2. The broker lives inside
 * the server, so the broker outage is the whole server stopped, and it comes back on the same ports.
 */
class EmbeddedFaultTest extends FaultTests {

    @Override
    protected Rig rig(final Path dir) {
        return new Embedded(dir);
    }

    private static final class Embedded implements Rig {
        private final ServerConfig fixed;
        private WinnowServer server;
        private final long publishesRefusedBefore;
        private final long subscriptionsRefusedBefore;
        private final long connectsRefusedBefore;

        Embedded(final Path dir) {
            server = WinnowServer.start(ServerConfig.ephemeral(dir).withSecurity(SecurityConfig.production()));
            // the same ports after every restart: agents keep their broker URL, tests their web URL
            fixed = server.config().withMqttPort(server.mqttPort()).withHttpPort(server.httpPort());
            publishesRefusedBefore = server.authCounters().publishesRefused();
            subscriptionsRefusedBefore = server.authCounters().subscriptionsRefused();
            connectsRefusedBefore = server.authCounters().connectsRefused();
        }

        @Override
        public WinnowServer server() {
            return server;
        }

        @Override
        public String deviceUrl() {
            return server.mqttUrl();
        }

        @Override
        public Credentials enrol(final String device) {
            return server.devices().enrol(SITE, LINE, device); // the embedded broker asks the registry itself
        }

        @Override
        public void stopBroker() {
            server.close();
        }

        @Override
        public void startBroker() {
            server = WinnowServer.start(fixed);
        }

        @Override
        public void restartServer() {
            server.close();
            server = WinnowServer.start(fixed);
        }

        @Override
        public void duringOutage() {
            // nothing else to look at: the server is down with its broker
        }

        @Override
        public int minAgentReconnects() {
            // back after the outage, then after the restarts (two quick ones may fall into one backoff)
            return 2;
        }

        @Override
        public void foreignSubscription(final boolean refused) {
            // the server's own broker extension checks subscriptions against the ACL and says no at once
            // (Mosquitto 2.0 grants them and filters on delivery: see ExternalFaultTest)
            assertThat(refused).as("SUBACK refuses another device's commands").isTrue();
        }

        @Override
        public void afterImpersonation() {
            // the forged publish, and the subscription to the victim's topics
            assertThat(server.authCounters().publishesRefused() - publishesRefusedBefore).isEqualTo(1);
            assertThat(server.authCounters().subscriptionsRefused() - subscriptionsRefusedBefore).isPositive();
            // no credentials, and a wrong password
            assertThat(server.authCounters().connectsRefused() - connectsRefusedBefore).isGreaterThanOrEqualTo(2);
        }

        @Override
        public String diagnostics() {
            return "embedded broker";
        }

        @Override
        public void close() {
            server.close();
        }
    }
}

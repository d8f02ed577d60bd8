package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.config.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The address devices are told to download models from and upload snapshots to. */
class DeviceUrlTest {

    @TempDir
    Path dir;

    @Test
    void boundToAllInterfacesDevicesGetThisHostsNameNotLoopback() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir).withHttpHost("0.0.0.0"))) {
            final URI u = URI.create(server.deviceUrl());
            final String expected = java.net.InetAddress.getLocalHost().getHostName();
            assertThat(u.getHost()).isEqualTo(expected);
            assertThat(u.getPort()).isEqualTo(server.httpPort());
            assertThat(server.httpUrl()).startsWith("http://127.0.0.1:");
        }
    }

    @Test
    void aConfiguredPublicUrlWinsAndABoundAddressIsUsedAsItIs() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir.resolve("a"))
                .withHttpHost("0.0.0.0").withPublicUrl("https://winnow.mill.lan"))) {
            assertThat(server.deviceUrl()).isEqualTo("https://winnow.mill.lan/");
        }
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir.resolve("b")))) {
            assertThat(server.deviceUrl()).isEqualTo(server.httpUrl()).startsWith("http://127.0.0.1:");
        }
    }
}

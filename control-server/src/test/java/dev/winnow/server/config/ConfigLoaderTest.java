package dev.winnow.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.server.cli.ServeCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigLoaderTest {

    private static final ServerConfig BASE = ServerConfig.defaults();

    @Test
    void readsEveryKnownKey() {
        final ServerConfig c = ConfigLoader.parse("""
                data: /var/lib/winnow
                http: { host: 0.0.0.0, port: 9090 }
                mqtt:
                  host: 0.0.0.0
                  port: 1884
                  client-id: server-a
                db: { url: "jdbc:postgresql://db/winnow", user: winnow, password: secret }
                ingest: { batch-size: 100, batch-window-ms: 20 }
                """, BASE);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/winnow"));
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(9090);
        assertThat(c.mqttPort()).isEqualTo(1884);
        assertThat(c.mqttClientId()).isEqualTo("server-a");
        assertThat(c.dbUrl()).isEqualTo("jdbc:postgresql://db/winnow");
        assertThat(c.dbUser()).isEqualTo("winnow");
        assertThat(c.dbPassword()).isEqualTo("secret");
        assertThat(c.ingestBatchSize()).isEqualTo(100);
        assertThat(c.ingestBatchWindowMs()).isEqualTo(20);
        assertThat(c.embeddedBroker()).isTrue();
        assertThat(c.toString()).doesNotContain("secret");
    }

    @Test
    void publicUrlIsReadWithItsSlashAndAnAddressThatIsNoneIsRefused() {
        assertThat(ConfigLoader.parse("http: { host: 0.0.0.0, public-url: \"https://winnow.mill.lan:8443\" }", BASE)
                .publicUrl()).isEqualTo("https://winnow.mill.lan:8443/");
        assertThat(BASE.publicUrl()).isNull();
        assertThatThrownBy(() -> ConfigLoader.parse("http: { public-url: winnow.mill.lan }", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'http.public-url'")
                .hasMessageContaining("http:// or https://");
    }

    @Test
    void emptyFileKeepsDefaults() {
        assertThat(ConfigLoader.parse("", BASE)).isEqualTo(BASE);
    }

    @Test
    void unknownKeyFailsNamingIt() {
        assertThatThrownBy(() -> ConfigLoader.parse("http: { prot: 80 }", BASE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http.prot'")
                .hasMessageContaining("unknown key")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("http.prot"));
        assertThatThrownBy(() -> ConfigLoader.parse("colour: red", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'colour'");
    }

    @Test
    void portOutOfRangeFailsNamingIt() {
        assertThatThrownBy(() -> ConfigLoader.parse("http: { port: 70000 }", BASE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http.port'")
                .hasMessageContaining("70000 is out of range [0, 65535]");
        assertThatThrownBy(() -> ConfigLoader.parse("mqtt: { port: -1 }", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'mqtt.port'");
    }

    @Test
    void wrongTypesAndValuesFail() {
        assertThatThrownBy(() -> ConfigLoader.parse("http: { port: eighty }", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'http.port'")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> ConfigLoader.parse("mqtt: { url: broker:1883 }", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'mqtt.url'");
        assertThatThrownBy(() -> ConfigLoader.parse("db: { url: postgres://x }", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'db.url'");
        assertThatThrownBy(() -> ConfigLoader.parse("ingest: { batch-size: 0 }", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'ingest.batch-size'");
        assertThatThrownBy(() -> ConfigLoader.parse("- a\n- b\n", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mapping");
        assertThatThrownBy(() -> ConfigLoader.parse("http: [", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
    }

    @Test
    void flagsOverrideTheFile(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("server.yaml");
        Files.writeString(file, "http: { port: 9000 }\nmqtt: { port: 1999 }\n");
        final ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--config", file.toString(), "--http-port", "9001", "--data",
                dir.toString());
        final ServerConfig c = serve.resolve();
        assertThat(c.httpPort()).isEqualTo(9001);
        assertThat(c.mqttPort()).isEqualTo(1999);
        assertThat(c.dataDir()).isEqualTo(dir);
    }

    @Test
    void badFlagValueFailsNamingTheKey() {
        final ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--http-port", "99999");
        assertThatThrownBy(serve::resolve).isInstanceOf(ConfigException.class).hasMessageContaining("'http.port'");
    }
}

package dev.winnow.server.cli;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ConfigException;
import dev.winnow.server.config.ConfigLoader;
import dev.winnow.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server serve}: starts everything and runs until SIGINT/SIGTERM. Prints a line for
 * people, then one JSON object for machines, when ready.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the broker, ingest, store and web pages; run until interrupted.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "server.yaml; flags override it")
    Path configFile;

    @Option(names = "--data", paramLabel = "DIR", description = "data folder (default: ./winnow-data)")
    Path data;

    @Option(names = "--http-host", paramLabel = "ADDR", description = "web bind address (default 127.0.0.1)")
    String httpHost;

    @Option(names = "--http-port", paramLabel = "N", description = "web port (default 8080; 0 = any free)")
    Integer httpPort;

    @Option(names = "--mqtt-host", paramLabel = "ADDR", description = "embedded broker bind address (default 127.0.0.1)")
    String mqttHost;

    @Option(names = "--mqtt-port", paramLabel = "N", description = "embedded broker port (default 1883; 0 = any free)")
    Integer mqttPort;

    @Option(names = "--mqtt-url", paramLabel = "URL", description = "external broker, e.g. tcp://broker:1883 (no embedded broker)")
    String mqttUrl;

    @Option(names = "--db-url", paramLabel = "JDBC", description = "database, e.g. jdbc:postgresql://host/winnow (default: embedded H2)")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD")
    String dbPassword;

    /** Defaults, then the file, then the flags. */
    public ServerConfig resolve() {
        // the shipped server demands enrolled device credentials unless the file says mqtt.auth: false
        ServerConfig c = ServerConfig.defaults().withSecurity(dev.winnow.server.config.SecurityConfig.production());
        if (configFile != null) {
            c = ConfigLoader.load(configFile, c);
        }
        if (data != null) {
            c = c.withDataDir(data);
        }
        if (httpHost != null) {
            c = c.withHttpHost(httpHost);
        }
        if (httpPort != null) {
            c = c.withHttpPort(httpPort);
        }
        if (mqttHost != null) {
            c = c.withMqttHost(mqttHost);
        }
        if (mqttPort != null) {
            c = c.withMqttPort(mqttPort);
        }
        if (mqttUrl != null) {
            c = c.withMqttUrl(mqttUrl);
        }
        if (dbUrl != null || dbUser != null || dbPassword != null) {
            c = c.withDb(dbUrl != null ? dbUrl : c.dbUrl(), dbUser != null ? dbUser : c.dbUser(),
                    dbPassword != null ? dbPassword : c.dbPassword());
        }
        return c;
    }

    @Override
    public Integer call() throws InterruptedException {
        final ServerConfig config;
        try {
            config = resolve();
        } catch (ConfigException e) {
            System.err.println("winnow-server: " + e.getMessage());
            System.out.println(dev.winnow.server.line.Json.write(Map.of("error", e.getMessage())));
            return 2;
        }
        final WinnowServer server;
        try {
            server = WinnowServer.start(config);
        } catch (RuntimeException e) {
            System.err.println("winnow-server: cannot start: " + e.getMessage());
            System.out.println(dev.winnow.server.line.Json.write(Map.of("error", String.valueOf(e.getMessage()))));
            return 1;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("winnow-server: stopping");
            server.close();
            System.err.println("winnow-server: stopped");
            stopped.countDown();
        }, "winnow-shutdown"));
        System.out.println("Winnow control server ready: " + server.httpUrl() + "  (MQTT " + server.mqttUrl()
                + ", data " + config.dataDir().toAbsolutePath().normalize() + ")");
        final Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("http", server.httpUrl());
        ready.put("mqtt", server.mqttUrl());
        ready.put("data", config.dataDir().toAbsolutePath().normalize().toString());
        System.out.println(dev.winnow.server.line.Json.write(ready));
        System.out.flush();
        stopped.await();
        return 0;
    }
}

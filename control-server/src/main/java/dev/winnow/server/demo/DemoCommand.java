package dev.winnow.server.demo;

import dev.winnow.server.ServerMain;
import dev.winnow.server.config.ConfigException;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.line.Json;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server demo}: the control server plus one simulated edge-agent process per line, until
 * Ctrl-C. Prints a banner for people, then one JSON object for machines, when ready.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the control server and one simulated edge agent per line; run until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {

    /** Set by the {@code ./winnow} launcher. */
    public static final String AGENT_JAR_PROPERTY = "winnow.agent.jar";

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "8080", description = "web port (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--mqtt-port", paramLabel = "N", defaultValue = "1883", description = "MQTT broker port (default ${DEFAULT-VALUE})")
    int mqttPort;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "winnow-data",
            description = "data folder: database, broker, agent state and logs (default ./${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--lines", paramLabel = "N", defaultValue = "2", description = "simulated lines (default ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "demo",
            description = "the agents' simulation scenario (default ${DEFAULT-VALUE})")
    String scenario;

    @Option(names = "--site", paramLabel = "NAME", defaultValue = "demo-mill", description = "site name (default ${DEFAULT-VALUE})")
    String site;

    /** The real agent: {@code java -XX:+UseZGC -jar AGENT_JAR simulate ... --forever}. */
    public static Function<AgentSpec, List<String>> agentCommand(final Path java, final Path agentJar,
                                                                 final String scenario) {
        return spec -> List.of(java.toString(), "-XX:+UseZGC", "-jar", agentJar.toString(), "simulate",
                "--scenario", scenario, "--mqtt", spec.mqttUrl(), "--http", spec.httpUrl(), "--site", spec.site(),
                "--line", spec.line(),
                "--device", spec.device(), "--seed", Long.toString(spec.seed()), "--state", spec.stateDir().toString(),
                "--forever");
    }

    /** {@code -Dwinnow.agent.jar}, else {@code edge-agent/target/winnow-agent.jar} beside this jar's module. */
    static Path findAgentJar() {
        final String prop = System.getProperty(AGENT_JAR_PROPERTY);
        final Path jar;
        if (prop != null && !prop.isBlank()) {
            jar = Path.of(prop);
        } else {
            Path guess = null;
            try {
                final Path self = Path.of(ServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                // control-server/target/winnow-server.jar -> edge-agent/target/winnow-agent.jar
                guess = self.toAbsolutePath().getParent().resolve("../../edge-agent/target/winnow-agent.jar").normalize();
            } catch (URISyntaxException | RuntimeException e) {
                // unknown location: fall through to the message below
            }
            jar = guess;
        }
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new DemoException("the edge-agent jar is missing" + (jar != null ? " (" + jar + ")" : "")
                    + "; build it with ./winnow build (or pass -D" + AGENT_JAR_PROPERTY + "=PATH)");
        }
        return jar.toAbsolutePath().normalize();
    }

    @Override
    public Integer call() throws InterruptedException {
        // The hook is in place before any agent starts, so Ctrl-C at any moment leaves no process behind.
        final AtomicReference<Demo> running = new AtomicReference<>();
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            final Demo d = running.get();
            if (d != null) {
                System.err.println("winnow demo: stopping the agents and the server...");
                d.close();
                System.err.println("winnow demo: stopped");
            }
            stopped.countDown();
        }, "winnow-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final Demo demo;
        try {
            final Path agentJar = findAgentJar();
            final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            final ServerConfig config = ServerConfig.defaults().withDataDir(data).withHttpPort(httpPort)
                    .withMqttPort(mqttPort)
                    .withWebAuth(dev.winnow.server.users.WebAuth.production().withDemoPassword(demoPassword));
            final Demo.Options options = Demo.Options.of(config, agentCommand(java, agentJar, scenario))
                    .withSite(site).withLines(lines);
            demo = Demo.start(options);
            running.set(demo);
        } catch (DemoException | ConfigException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            return fail(2, e.getMessage());
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            return fail(1, "cannot start: " + e.getMessage());
        }
        System.out.print(banner(demo, data));
        System.out.print(loginBanner(demoPassword));
        System.out.println(Json.write(demo.readyJson()));
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** One web user per role, all with this run's password (printed in the banner). */
    private final String demoPassword = dev.winnow.server.users.Passwords.newReadablePassword();

    static String loginBanner(final String password) {
        return "    Log in as operator, engineer, manager, designer, agent or admin (one user per role),\n"
                + "    password " + password + "   (new each run; the admin page adds users and API tokens)\n\n";
    }

    static String banner(final Demo demo, final Path data) {
        final Path d = data.toAbsolutePath().normalize();
        final StringBuilder b = new StringBuilder();
        b.append('\n');
        b.append("  Winnow demo is running: ").append(demo.lines().size()).append(" simulated line")
                .append(demo.lines().size() == 1 ? "" : "s").append(" at ").append(demo.site()).append('\n');
        b.append('\n');
        b.append("    Overview   ").append(demo.overviewUrl()).append('\n');
        for (String line : demo.lines()) {
            b.append("    ").append(String.format("%-10s ", line)).append(demo.lineUrl(line)).append('\n');
        }
        b.append('\n');
        b.append("    MQTT ").append(demo.server().mqttUrl()).append("   data ").append(d)
                .append("   agent logs ").append(d.resolve("logs")).append('\n');
        b.append("    Open a line page: rejections appear within seconds. Ctrl-C stops everything.\n");
        b.append('\n');
        return b.toString();
    }

    private static int fail(final int code, final String message) {
        System.err.println("winnow demo: " + message);
        System.out.println(Json.write(Map.of("error", String.valueOf(message))));
        return code;
    }
}

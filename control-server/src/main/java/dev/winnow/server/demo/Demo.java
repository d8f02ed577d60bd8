package dev.winnow.server.demo;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The demo: one control server (embedded broker and database) and one edge-agent process per line,
 * each kept running by an {@link AgentSupervisor}. How an agent is started is a function from its
 * {@link AgentSpec} to a command line, so tests can run a tiny fake agent instead of the real one.
 *
 * <pre>
 * try (Demo demo = Demo.start(Demo.Options.of(config, spec -&gt; List.of("java", "-jar", jar, ...)))) {
 *     demo.overviewUrl();   // http://127.0.0.1:8080/
 * }
 * </pre>
 *
 * {@link #close} stops the agents first (SIGTERM, a grace period, then a forced kill), then the server.
 */
public final class Demo implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    /**
     * @param server         the server's configuration (ports, data folder)
     * @param site           the site every agent reports as
     * @param lines          how many lines (agents): line-1 .. line-N
     * @param agentCommand   the command line that runs one agent
     * @param stopGrace      how long agents get after SIGTERM before they are killed
     * @param initialBackoff first wait before restarting a dead agent; doubles up to {@code maxBackoff}
     * @param maxBackoff     longest wait between restarts
     * @param report         where "an agent died" messages go (the demo prints them on stderr)
     */
    public record Options(ServerConfig server, String site, int lines, Function<AgentSpec, List<String>> agentCommand,
                          Duration stopGrace, Duration initialBackoff, Duration maxBackoff, Consumer<String> report) {

        public Options {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(agentCommand, "agentCommand");
            Objects.requireNonNull(report, "report");
            if (site == null || !NAME.matcher(site).matches()) {
                throw new DemoException("--site '" + site + "' must be letters, digits, '-' or '_' (at most 64)");
            }
            if (lines < 1 || lines > 32) {
                throw new DemoException("--lines " + lines + " is out of range [1, 32]");
            }
        }

        /** Site {@code demo-mill}, 2 lines, 5 s grace, restarts after 1 s doubling to 30 s, reports on stderr. */
        public static Options of(final ServerConfig server, final Function<AgentSpec, List<String>> agentCommand) {
            return new Options(server, "demo-mill", 2, agentCommand, Duration.ofSeconds(5), Duration.ofSeconds(1),
                    Duration.ofSeconds(30), System.err::println);
        }

        public Options withSite(final String v) {
            return new Options(server, v, lines, agentCommand, stopGrace, initialBackoff, maxBackoff, report);
        }

        public Options withLines(final int v) {
            return new Options(server, site, v, agentCommand, stopGrace, initialBackoff, maxBackoff, report);
        }

        public Options withTiming(final Duration grace, final Duration initial, final Duration max) {
            return new Options(server, site, lines, agentCommand, grace, initial, max, report);
        }

        public Options withReport(final Consumer<String> v) {
            return new Options(server, site, lines, agentCommand, stopGrace, initialBackoff, maxBackoff, v);
        }
    }

    private final Options options;
    private final List<AgentSupervisor> agents = new ArrayList<>();
    private WinnowServer server;
    private boolean closed;

    private Demo(final Options options) {
        this.options = options;
    }

    /** Checks the ports, starts the server, then starts every agent. Throws {@link DemoException} with advice. */
    public static Demo start(final Options options) {
        final ServerConfig c = options.server();
        requireFree(c.httpHost(), c.httpPort(), "web", "--http-port");
        if (c.embeddedBroker()) {
            requireFree(c.mqttHost(), c.mqttPort(), "MQTT", "--mqtt-port");
        }
        final Demo demo = new Demo(options);
        try {
            demo.server = WinnowServer.start(c);
            for (int i = 1; i <= options.lines(); i++) {
                final String line = "line-" + i;
                final Path data = c.dataDir().toAbsolutePath().normalize();
                final AgentSpec spec = new AgentSpec(i, options.site(), line, "pi-" + line, i,
                        demo.server.mqttUrl(), demo.server.httpUrl(), data.resolve("agents").resolve(line),
                        data.resolve("logs").resolve(line + ".log"));
                trustModels(demo.server, spec.stateDir());
                final AgentSupervisor s = new AgentSupervisor(spec, options.agentCommand().apply(spec),
                        options.initialBackoff(), options.maxBackoff(), options.report());
                demo.agents.add(s);
                s.start();
            }
        } catch (RuntimeException | Error e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    /**
     * Gives a line's agent the server's model-signing key, as an engineer does at enrolment, so the demo's lines take
     * model rollouts ({@code model-signing.pub} in the agent's state folder, the agent's default).
     */
    static void trustModels(final WinnowServer server, final Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            Files.writeString(stateDir.resolve("model-signing.pub"), "{\"algorithm\":\"Ed25519\",\"format\":\"X.509\","
                    + "\"publicKey\":\"" + server.controlRoom().registry().signer().publicKeyBase64() + "\"}\n");
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the model-signing key into " + stateDir, e);
        }
    }

    /** Fails with a message naming the port and the flag that changes it when something already listens there. */
    static void requireFree(final String host, final int port, final String what, final String flag) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // a port in TIME_WAIT is free for the server too
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new DemoException("the " + what + " port " + port + " on " + host + " is already in use ("
                    + e.getMessage() + "); stop whatever uses it, or choose another port with " + flag + " N", e);
        }
    }

    public WinnowServer server() {
        return server;
    }

    public String site() {
        return options.site();
    }

    /** line-1 .. line-N. */
    public List<String> lines() {
        return agents.stream().map(AgentSupervisor::line).toList();
    }

    public String overviewUrl() {
        return server.httpUrl();
    }

    public String lineUrl(final String line) {
        return server.httpUrl() + "lines/" + options.site() + "/" + line;
    }

    /** The last line the demo prints: {@code {"url":..., "lines":[...], "mqtt":...}}. */
    public Map<String, Object> readyJson() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", overviewUrl());
        m.put("lines", lines());
        m.put("mqtt", server.mqttUrl());
        return m;
    }

    public List<AgentSpec> agentSpecs() {
        return agents.stream().map(AgentSupervisor::spec).toList();
    }

    /** How many times the agent of {@code line} has been started (1 + restarts). */
    public int starts(final String line) {
        return agents.stream().filter(a -> a.line().equals(line)).mapToInt(AgentSupervisor::starts).sum();
    }

    /** Every agent process id ever started, for checking that none is left. */
    public List<Long> allAgentPids() {
        return agents.stream().flatMap(a -> a.pids().stream()).toList();
    }

    /** The agent processes running now. */
    public List<ProcessHandle> runningAgents() {
        return agents.stream().map(AgentSupervisor::current).filter(Objects::nonNull).toList();
    }

    /**
     * Stops the agents — SIGTERM to all at once, up to the grace period for them to exit, then SIGKILL —
     * and then the server. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        final List<ProcessHandle> ending = new ArrayList<>();
        for (AgentSupervisor a : agents) {
            ending.addAll(a.terminate());
        }
        final long deadline = System.nanoTime() + options.stopGrace().toNanos();
        for (ProcessHandle h : ending) {
            final long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                // not gone in time: forced below
            }
        }
        for (ProcessHandle h : ending) {
            if (h.isAlive()) {
                options.report().accept("winnow demo: agent pid " + h.pid() + " did not stop within "
                        + options.stopGrace().toSeconds() + " s; killing it");
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : ending) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                options.report().accept("winnow demo: agent pid " + h.pid() + " is still running after SIGKILL");
            }
        }
        if (server != null) {
            server.close();
        }
    }
}

package dev.winnow.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.server.config.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's orchestration with a fake agent: a small {@code java} process ({@link FakeAgent}) that
 * publishes a few rejections over MQTT, so the real server, broker and process handling are exercised
 * without the edge-agent module.
 */
class DemoTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    final List<String> reports = new CopyOnWriteArrayList<>();

    /** {@code java -cp <test classpath> FakeAgent <the real agent's options> <extra>}. */
    static Function<AgentSpec, List<String>> fakeAgent(final String... extra) {
        return spec -> {
            final List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    FakeAgent.class.getName(), "--mqtt", spec.mqttUrl(), "--site", spec.site(),
                    "--line", spec.line(), "--device", spec.device(), "--seed", Long.toString(spec.seed()),
                    "--state", spec.stateDir().toString()));
            cmd.addAll(List.of(extra));
            return cmd;
        };
    }

    Demo.Options options(final Function<AgentSpec, List<String>> agent) {
        return Demo.Options.of(ServerConfig.ephemeral(data), agent)
                .withTiming(Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(1))
                .withReport(reports::add);
    }

    @Test
    void startsOneAgentPerLineStoresTheirEventsAndLeavesNoProcessBehind() throws Exception {
        final List<Long> pids;
        try (Demo demo = Demo.start(options(fakeAgent("--events", "5", "--forever")).withLines(2))) {
            assertThat(demo.lines()).containsExactly("line-1", "line-2");
            assertThat(demo.readyJson().get("url")).isEqualTo(demo.server().httpUrl());
            assertThat(demo.lineUrl("line-2")).isEqualTo(demo.server().httpUrl() + "lines/demo-mill/line-2");
            for (String line : demo.lines()) {
                await(line + ": 5 rejections stored",
                        () -> demo.server().store().latestRejections("demo-mill", line, 100).size() == 5);
            }
            assertThat(demo.server().store().latestRejections("demo-mill", "line-2", 100))
                    .allSatisfy(r -> assertThat(r.device()).isEqualTo("pi-line-2"));
            pids = demo.allAgentPids();
            assertThat(pids).hasSize(2);
            assertThat(demo.runningAgents()).hasSize(2);
            final Path log = data.toAbsolutePath().resolve("logs/line-1.log");
            await("the agent's output in " + log, () -> read(log).contains("published 5 rejections"));
            assertThat(read(log)).contains("winnow demo: starting line-1");
            assertThat(data.resolve("agents/line-1")).isDirectory();
            assertThat(read(data.resolve("agents/line-2/model-signing.pub"))).as("each line takes the server's models")
                    .contains(demo.server().controlRoom().registry().signer().publicKeyBase64());
        }
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("agent pid %d alive", pid).isFalse());
        assertThat(reports).as("no agent reported dead").isEmpty();
    }

    @Test
    void restartsAnAgentThatDiesAndSaysWhereItsLogIs() throws Exception {
        final List<Long> pids;
        try (Demo demo = Demo.start(options(fakeAgent("--events", "2", "--exit-after-ms", "200")).withLines(1))) {
            await("three starts", () -> demo.starts("line-1") >= 3);
            await("rejections from each run",
                    () -> demo.server().store().latestRejections("demo-mill", "line-1", 100).size() >= 4);
            pids = demo.allAgentPids();
        }
        assertThat(pids).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(pid -> assertThat(alive(pid)).as("agent pid %d alive", pid).isFalse());
        assertThat(reports).isNotEmpty();
        assertThat(reports.get(0)).contains("line-1", "exited with code 3", "restarting in",
                data.toAbsolutePath().normalize().resolve("logs/line-1.log").toString());
    }

    @Test
    void killsAnAgentThatIgnoresSigterm() throws Exception {
        final List<Long> pids;
        final long t0;
        try (Demo demo = Demo.start(options(fakeAgent("--events", "1", "--forever", "--ignore-term"))
                .withTiming(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1)).withLines(1))) {
            await("stored", () -> demo.server().store().latestRejections("demo-mill", "line-1", 10).size() == 1);
            pids = demo.allAgentPids();
            t0 = System.nanoTime();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).isFalse());
        assertThat(reports).anySatisfy(r -> assertThat(r).contains("did not stop within 1 s; killing it"));
    }

    @Test
    void aTakenPortIsNamedWithTheFlagThatChangesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            final int port = taken.getLocalPort();
            assertThatThrownBy(() -> Demo.start(Demo.Options.of(ServerConfig.ephemeral(data).withHttpPort(port),
                    fakeAgent())))
                    .isInstanceOf(DemoException.class)
                    .hasMessageContaining("web port " + port).hasMessageContaining("--http-port");
            assertThatThrownBy(() -> Demo.start(Demo.Options.of(ServerConfig.ephemeral(data).withMqttPort(port),
                    fakeAgent())))
                    .isInstanceOf(DemoException.class)
                    .hasMessageContaining("MQTT port " + port).hasMessageContaining("--mqtt-port");
        }
    }

    @Test
    void theRealAgentCommandLine() {
        final AgentSpec spec = new AgentSpec(2, "demo-mill", "line-2", "pi-line-2", 2, "tcp://127.0.0.1:1883",
                "http://127.0.0.1:8080/", Path.of("/d/agents/line-2"), Path.of("/d/logs/line-2.log"));
        assertThat(DemoCommand.agentCommand(Path.of("/jdk/bin/java"), Path.of("/w/winnow-agent.jar"), "demo")
                .apply(spec)).containsExactly("/jdk/bin/java", "-XX:+UseZGC", "-jar", "/w/winnow-agent.jar",
                "simulate", "--scenario", "demo", "--mqtt", "tcp://127.0.0.1:1883", "--http", "http://127.0.0.1:8080/",
                "--site", "demo-mill",
                "--line", "line-2", "--device", "pi-line-2", "--seed", "2", "--state", "/d/agents/line-2",
                "--forever");
    }

    @Test
    void aMissingAgentJarSaysToBuild() {
        final String old = System.getProperty(DemoCommand.AGENT_JAR_PROPERTY);
        System.setProperty(DemoCommand.AGENT_JAR_PROPERTY, data.resolve("nope.jar").toString());
        try {
            assertThatThrownBy(DemoCommand::findAgentJar).isInstanceOf(DemoException.class)
                    .hasMessageContaining("./winnow build").hasMessageContaining("nope.jar");
        } finally {
            if (old == null) {
                System.clearProperty(DemoCommand.AGENT_JAR_PROPERTY);
            } else {
                System.setProperty(DemoCommand.AGENT_JAR_PROPERTY, old);
            }
        }
    }

    private static boolean alive(final long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String read(final Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}

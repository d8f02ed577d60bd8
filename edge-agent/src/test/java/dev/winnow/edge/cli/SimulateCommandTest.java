package dev.winnow.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.edge.AgentMain;
import dev.winnow.edge.sim.TrackReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code simulate}'s track report, run as a user runs it, with the oracle so every track has a contaminant under it. */
class SimulateCommandTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void tracksFileHoldsEveryDecisionAgainstTheTruth() throws Exception {
        final Path csv = tmp.resolve("tracks.csv");
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = new CommandLine(new AgentMain()).execute("simulate", "--scenario", "demo", "--duration", "6",
                    "--detector", "oracle", "--json", "--tracks", csv.toString(), "--state", tmp.resolve("s").toString(),
                    "--margin-across", "1.5", "--min-seen-over-class", "feather=300");
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        final List<String> out = captured.toString(StandardCharsets.UTF_8).strip().lines().toList();
        final JsonNode json = new ObjectMapper().readTree(out.get(out.size() - 1));
        assertThat(json.get("false_tracks").size()).as("oracle tracks are all real").isZero();
        final JsonNode rules = json.get("decision");
        assertThat(rules.get("margin_across_mm").asDouble()).as("the rules the run used").isEqualTo(1.5);
        assertThat(rules.get("min_seen_over_mm_by_class").toString()).isEqualTo("{\"feather\":300.0}");
        assertThat(rules.get("min_sightings_by_class").get("plastic_film").asInt()).isEqualTo(8);
        assertThat(json.get("spurious_by_cause").get("elsewhere").asInt()).isZero();
        final JsonNode host = json.get("host");
        assertThat(host.get("cores").asInt()).as("the machine it ran on").isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(host.get("cpu").asText()).isNotBlank();
        assertThat(host.get("hiccup_ms").get("samples").asLong()).as("the hiccup meter ran during the run").isPositive();

        final List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo(TrackReport.HEADER);
        final List<String[]> tracks = lines.stream().skip(1).map(l -> l.split(",", -1))
                .filter(f -> f[0].equals("track")).toList();
        assertThat(tracks).hasSizeGreaterThanOrEqualTo(json.get("rejections").asInt() / 2).isNotEmpty();
        // The oracle names each track after the contaminant it saw.
        assertThat(tracks).allSatisfy(f -> assertThat(f[1]).isEqualTo(f[2]));
        final long escapedRows = lines.stream().filter(l -> l.startsWith("escaped,")).count();
        assertThat(escapedRows).isEqualTo(json.get("escapes").asLong());
        // Each spurious pulse has a row, one beside a contaminant followed by the contaminant it missed.
        assertThat(lines.stream().filter(l -> l.startsWith("spurious_")).count())
                .isEqualTo(json.get("spurious_pulses").asLong());
        assertThat(lines.stream().filter(l -> l.startsWith("missed_beside,")).count())
                .isEqualTo(json.get("spurious_by_cause").get("beside_a_contaminant").asLong());
        final int columns = TrackReport.HEADER.split(",").length;
        assertThat(lines).allSatisfy(l -> assertThat(l.split(",", -1)).hasSize(columns));
        assertThat(rules.get("commit_lead_ms").asDouble()).isEqualTo(100);
        assertThat(rules.get("min_mean_confidence_by_class").toString()).as("the line sets none").isEqualTo("{}");
        assertThat(rules.get("model_min_mean_confidence").toString()).as("the oracle has no rule of its own")
                .isEqualTo("{\"colour-1\":{},\"uv-1\":{}}");
    }

    @Test
    @Timeout(30)
    void aTracksFileInAMissingFolderIsRefusedBeforeTheRun() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        final int code = cli.execute("simulate", "--scenario", "demo", "--duration", "1", "--detector", "oracle",
                "--tracks", tmp.resolve("no/such/folder/t.csv").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tracks").contains("not a file in an existing folder");
    }

    @Test
    void aSlowerBeltKeepsTheThroughputOrTheLoadPerMetre() {
        final dev.winnow.hardware.sim.Scenario fast = dev.winnow.hardware.sim.Scenario.named("fast-belt");
        final dev.winnow.hardware.sim.Scenario sameThroughput = SimulateCommand.atSpeed(fast, 1.5, false);
        assertThat(sameThroughput.belt().speedMps()).isEqualTo(1.5);
        assertThat(sameThroughput.belt().colourRgb()).isEqualTo(fast.belt().colourRgb());
        assertThat(sameThroughput.product().tuftsPerSecond()).isEqualTo(fast.product().tuftsPerSecond());
        assertThat(sameThroughput.contaminants().perSecond()).isEqualTo(fast.contaminants().perSecond());
        final dev.winnow.hardware.sim.Scenario sameLoad = SimulateCommand.atSpeed(fast, 1.5, true);
        assertThat(sameLoad.product().tuftsPerSecond()).isEqualTo(fast.product().tuftsPerSecond() / 2);
        assertThat(sameLoad.contaminants().perSecond()).isEqualTo(fast.contaminants().perSecond() / 2);
        assertThat(sameLoad.contaminants().mix()).isEqualTo(fast.contaminants().mix());
    }

    @Test
    @Timeout(30)
    void sameLoadPerMetreWithoutABeltSpeedIsRefused() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        assertThat(cli.execute("simulate", "--scenario", "demo", "--duration", "1", "--same-load-per-metre")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--same-load-per-metre needs --belt-speed");
    }

    @Test
    @Timeout(30)
    void aBadSeenOverValueIsRefusedNamingTheClass() {
        for (final String[] bad : new String[][] {{"feather=far", "'far' is not a number of millimetres"},
                {"feather=-5", "feather must be in [0, 5000] mm"}}) {
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final CommandLine cli = new CommandLine(new AgentMain());
            cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            assertThat(cli.execute("simulate", "--scenario", "demo", "--duration", "1", "--min-seen-over-class",
                    bad[0])).isNotZero();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("--min-seen-over-class").contains(bad[1]);
        }
    }

    @Test
    @Timeout(30)
    void aBadPerClassValueIsRefusedNamingTheOptionAndTheClass() {
        for (final String[] bad : new String[][] {
                {"--sure-mean-confidence-class", "feather=0.2", "feather must be in [0.5, 1] (or off)"},
                {"--sure-mean-confidence-class", "feather=sure", "'sure' is not a number (or off)"},
                {"--min-sightings-class", "feather=2.5", "'2.5' is not a whole number"},
                {"--min-sightings-class", "feather=0", "feather must be in [1, 100]"},
                {"--min-mean-confidence-class", "feather=1.5", "feather must be in [0, 1]"}}) {
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final CommandLine cli = new CommandLine(new AgentMain());
            cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            assertThat(cli.execute("simulate", "--scenario", "demo", "--duration", "1", bad[0], bad[1])).isNotZero();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(bad[0]).contains(bad[2]);
        }
    }

    @Test
    @Timeout(120)
    void escapesPictureShowsEveryEscapeAsEachCameraSawIt() throws Exception {
        final Path png = tmp.resolve("escapes.png");
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            // In audit mode nothing fires: every contaminant that passes the bar escapes.
            code = new CommandLine(new AgentMain()).execute("simulate", "--scenario", "demo", "--duration", "5",
                    "--detector", "oracle", "--audit", "--json", "--escapes", png.toString(),
                    "--sights", tmp.resolve("sights.csv").toString(),
                    "--state", tmp.resolve("s").toString());
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        final List<String> out = captured.toString(StandardCharsets.UTF_8).strip().lines().toList();
        final JsonNode json = new ObjectMapper().readTree(out.get(out.size() - 1));
        final int escapes = json.get("escapes").asInt();
        assertThat(escapes).isPositive().isEqualTo(json.get("contaminants").asInt());
        // The demo line's contaminants are plainly visible: re-rendered, most of them are shown by some camera.
        assertThat(json.get("escapes_no_camera_shows").asInt()).isBetween(0, escapes / 2);
        // one row per judged contaminant, all escaped in audit mode, with what each camera shows of it
        final List<String> sights = java.nio.file.Files.readAllLines(tmp.resolve("sights.csv"));
        assertThat(sights.get(0)).isEqualTo("item,class,outcome,along_mm,length_mm,shown,colour-1_px,"
                + "colour-1_max_levels,uv-1_px,uv-1_max_levels");
        assertThat(sights).hasSize(escapes + 1);
        assertThat(sights.subList(1, sights.size())).allMatch(row -> row.split(",")[2].equals("escaped"));
        assertThat(sights.subList(1, sights.size()).stream().filter(row -> row.split(",")[5].equals("false")).count())
                .isEqualTo(json.get("escapes_no_camera_shows").asLong());
        assertThat(sights.subList(1, sights.size()).stream()
                .mapToInt(row -> Integer.parseInt(row.split(",")[6])).max().getAsInt()).isGreaterThan(20);
        final java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        final int rows = Math.min(escapes, dev.winnow.edge.sim.EscapeSheet.MAX_ROWS);
        assertThat(img.getHeight()).isEqualTo(rows * 160 + 40);
        assertThat(img.getWidth()).isEqualTo(150 + 2 * 160);
        // Each crop is a rendered frame, not the background: the middle of the first colour crop is belt or cotton.
        final int centre = img.getRGB(150 + 80, 40 + 80);
        assertThat(centre).isNotEqualTo(new java.awt.Color(0x20, 0x24, 0x28).getRGB());
    }
}

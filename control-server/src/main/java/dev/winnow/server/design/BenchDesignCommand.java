package dev.winnow.server.design;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.line.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server bench-design}: times whole generations (generate or breed, render a
 * thumbnail PNG, score with every critic) in memory. Prints a JSON last line with
 * {@code seconds_per_generation}.
 */
@Command(name = "bench-design", mixinStandardHelpOptions = true,
        description = "Time design-lab generations: generate, render thumbnails, score; JSON last line.")
public final class BenchDesignCommand implements Callable<Integer> {

    @Option(names = "--designs", paramLabel = "N", defaultValue = "1000", description = "designs per generation (default ${DEFAULT-VALUE})")
    int designs;

    @Option(names = "--generations", paramLabel = "N", defaultValue = "3", description = "timed generations (default ${DEFAULT-VALUE})")
    int generations;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    /** The brief benchmarked: a heritage check/stripe/houndstooth study, the default repeat limits. */
    static final String BRIEF = "{\"name\":\"bench\",\"mood\":\"heritage\",\"families\":[\"check\",\"stripe\","
            + "\"gingham\",\"houndstooth\",\"twill\",\"melange\"],\"maxColours\":4,\"repeat\":{\"min\":8,\"max\":48}}";

    @Override
    public Integer call() throws Exception {
        if (designs < 1 || generations < 1) {
            System.err.println("--designs and --generations must be at least 1");
            return 2;
        }
        final Brief brief = Brief.parse(new ObjectMapper().readTree(BRIEF));
        final Breeder breeder = new Breeder(brief);
        final Critics critics = new Critics(brief, Catalogue.classics(), Preference.none());
        // warm-up: one small generation so the JIT has seen the code
        List<Breeder.Design> last = breeder.breed("w", 0, Math.min(200, designs), List.of(), List.of(), critics,
                Breeder.noMarket(), seed + 99, true, null);
        last = List.of();
        final Archive<Breeder.Design> archive = new Archive<>();
        final List<Double> secs = new ArrayList<>();
        long bytes = 0;
        for (int g = 0; g < generations; g++) {
            final long t0 = System.nanoTime();
            last = breeder.breed("g" + g + "-", g, designs, last, archive.elites(), critics, Breeder.noMarket(),
                    seed, true, null);
            final double s = (System.nanoTime() - t0) / 1e9;
            secs.add(s);
            for (final Breeder.Design d : last) {
                archive.offer(d.cell(), d, d.total());
                bytes += d.thumbnail().length;
            }
            final double best = last.stream().mapToDouble(Breeder.Design::total).max().orElse(0);
            final double mean = last.stream().mapToDouble(Breeder.Design::total).average().orElse(0);
            final long bred = last.stream().filter(d -> !d.parents().isEmpty()).count();
            System.out.printf(Locale.ROOT,
                    "generation %d: %d designs in %.3f s (bred %d, best %.3f, mean %.3f, archive %d cells)%n",
                    g, designs, s, bred, best, mean, archive.size());
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "design-lab");
        out.put("designs", designs);
        out.put("generations", generations);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("thumbnail_px", Breeder.THUMB);
        out.put("mean_thumbnail_bytes", bytes / (designs * generations));
        out.put("seconds_per_generation", Math.round(secs.stream().mapToDouble(d -> d).average().orElse(0) * 1000) / 1000.0);
        out.put("max_seconds_per_generation", Math.round(secs.stream().mapToDouble(d -> d).max().orElse(0) * 1000) / 1000.0);
        out.put("archive_cells", archive.size());
        System.out.println(Json.write(out));
        return 0;
    }
}

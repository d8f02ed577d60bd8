package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Breeds one generation: generate (random in generation 0; otherwise 10 % immigrants, the rest
 * children of tournament winners of the last generation and of archive elites, by crossover
 * and/or mutation), render a thumbnail, score. Work is spread over the cores; each child's
 * randomness comes from {@code seed} and its index, so a run is reproducible.
 */
public final class Breeder {

    /** A scored design; {@code thumbnail} is PNG bytes (null when not rendered). */
    public record Design(String id, int generation, Genome genome, List<String> parents, String operator,
                         List<Critics.Score> scores, double total, String cell, byte[] thumbnail) {
        public Design withScores(final List<Critics.Score> s, final double t) {
            return new Design(id, generation, genome, parents, operator, s, t, cell, thumbnail);
        }
    }

    /** Market verdict for a new design given its parents (already known designs). */
    public interface MarketOracle {
        Critics.Score score(String id, List<String> parents);
    }

    public static final int THUMB = 96;
    /** Attempts at a child within the brief before an immigrant takes its place. */
    static final int BREED_TRIES = 4;
    private final Brief brief;
    private final Generator gen;

    public Breeder(final Brief brief) {
        this.brief = brief;
        this.gen = new Generator(brief);
    }

    public Generator generator() {
        return gen;
    }

    /** Scores a genome (builds its fabric). */
    public static Design score(final Critics critics, final String id, final int generation, final Genome g,
                               final List<String> parents, final String operator, final Critics.Score market,
                               final boolean thumbnail) {
        final Fabric f = new Fabric(g, critics.brief().palette());
        final List<Critics.Score> s = critics.score(f, market);
        final byte[] png = thumbnail ? Render.png(Render.thumbnail(f, THUMB)) : null;
        return new Design(id, generation, g, parents, operator, s, critics.total(s), Archive.cell(f), png);
    }

    public List<Design> breed(final String idPrefix, final int generation, final int size, final List<Design> last,
                              final List<Design> elites, final Critics critics, final MarketOracle market,
                              final long seed, final boolean thumbnails, final IntConsumer progress) {
        final AtomicInteger done = new AtomicInteger();
        final int step = Math.max(1, size / 20);
        final Design[] out = new Design[size];
        IntStream.range(0, size).parallel().forEach(i -> {
            final Random rng = childRandom(seed, generation, i);
            final String id = idPrefix + i;
            Genome g = null;
            List<String> parents = List.of();
            String op = "random";
            // a child that breaks the brief even after repair is bred again from new parents: only after
            // BREED_TRIES failures does an immigrant take its place, so the generation stays mostly bred
            final boolean bred = !last.isEmpty() && rng.nextDouble() >= 0.1;
            for (int attempt = 0; bred && g == null && attempt < BREED_TRIES; attempt++) {
                final Design p1 = pick(last, elites, rng);
                Genome child = p1.genome();
                final List<String> ps = new ArrayList<>(List.of(p1.id()));
                final List<String> ops = new ArrayList<>();
                if (rng.nextDouble() < 0.5) {
                    final Design p2 = pick(last, elites, rng);
                    final Generator.Child c = gen.crossover(child, p2.genome(), rng);
                    if (!"copy".equals(c.operator()) && !p2.id().equals(p1.id())) {
                        child = c.genome();
                        ps.add(p2.id());
                        ops.add("crossover");
                    }
                }
                if (ops.isEmpty() || rng.nextDouble() < 0.7) {
                    final Generator.Child m = gen.mutate(child, rng);
                    child = m.genome();
                    ops.add(m.operator());
                }
                for (int k = 0; k < 3 && child.code().equals(p1.genome().code()); k++) {
                    final Generator.Child m = gen.mutate(child, rng); // an unchanged copy teaches nothing
                    child = m.genome();
                    ops.add(m.operator());
                }
                final Genome fixed = gen.repair(child, rng);
                if (fixed != null && Constraints.ok(brief, fixed)) {
                    g = fixed;
                    parents = List.copyOf(ps);
                    op = String.join("+", ops);
                }
            }
            if (g == null) {
                g = gen.random(rng);
                op = last.isEmpty() ? "random" : "immigrant";
            }
            out[i] = score(critics, id, generation, g, parents, op, market.score(id, parents), thumbnails);
            final int d = done.incrementAndGet();
            if (progress != null && (d % step == 0 || d == size)) {
                progress.accept(d);
            }
        });
        dedupe(out, idPrefix, generation, last, elites, critics, market, seed, thumbnails);
        return List.of(out);
    }

    /**
     * Replaces children that copy an earlier child of this generation, its parents' generation or an archive
     * elite: a mutation of the copy (or, failing that, a fresh design) takes its place, so the gallery is not a
     * row of near-identical swatches. Sequential and seeded, so breeding stays deterministic.
     */
    private void dedupe(final Design[] out, final String idPrefix, final int generation, final List<Design> last,
                        final List<Design> elites, final Critics critics, final MarketOracle market, final long seed,
                        final boolean thumbnails) {
        final java.util.Set<String> seen = new java.util.HashSet<>();
        last.forEach(d -> seen.add(d.genome().code()));
        elites.forEach(d -> seen.add(d.genome().code()));
        for (int i = 0; i < out.length; i++) {
            final Design d = out[i];
            if (seen.add(d.genome().code())) {
                continue;
            }
            final Random rng = childRandom(seed, generation, i + 0x5EED_0000L);
            Genome g = d.genome();
            String op = d.operator();
            boolean fresh = false;
            for (int k = 0; k < 6 && !fresh; k++) {
                final Generator.Child m = gen.mutate(g, rng);
                final Genome fixed = gen.repair(m.genome(), rng);
                if (fixed != null && Constraints.ok(brief, fixed)) {
                    g = fixed;
                    op = op + "+" + m.operator();
                    fresh = !seen.contains(g.code());
                }
            }
            List<String> parents = d.parents();
            for (int k = 0; k < 6 && !fresh; k++) {
                g = gen.random(rng);
                parents = List.of();
                op = last.isEmpty() ? "random" : "immigrant";
                fresh = !seen.contains(g.code());
            }
            seen.add(g.code());
            final String id = idPrefix + i;
            out[i] = score(critics, id, generation, g, parents, op, market.score(id, parents), thumbnails);
        }
    }

    /**
     * Each child's own randomness. {@code java.util.Random} seeded with neighbouring numbers starts with nearly the
     * same draws (the first {@code nextDouble()} of seeds n and n + 1 differ by about 1e-4), so children seeded
     * {@code base + i} all made the same first choice: in one generation in ten every child became an immigrant.
     * The seed is mixed first (SplitMix64), which keeps breeding reproducible from {@code seed}.
     */
    static Random childRandom(final long seed, final int generation, final long index) {
        return new Random(new SplittableRandom(seed * 1_000_003L + generation * 7919L + index).nextLong());
    }

    /** Half the time a 3-way tournament in the last generation, else a uniformly chosen archive elite. */
    private static Design pick(final List<Design> last, final List<Design> elites, final Random rng) {
        if (!elites.isEmpty() && rng.nextBoolean()) {
            return elites.get(rng.nextInt(elites.size()));
        }
        Design best = last.get(rng.nextInt(last.size()));
        for (int k = 0; k < 2; k++) {
            final Design c = last.get(rng.nextInt(last.size()));
            if (c.total() > best.total()) {
                best = c;
            }
        }
        return best;
    }

    /** Neutral market verdict for everything. */
    public static MarketOracle noMarket() {
        return (id, parents) -> new Critics.Score("market", 0.5, "no market data");
    }

    /** Fills an archive from designs. */
    public static Archive<Design> archive(final List<Design> all) {
        final Archive<Design> a = new Archive<>();
        for (final Design d : all) {
            a.offer(d.cell(), d, d.total());
        }
        return a;
    }

    static Map<String, Object> scoreMap(final Critics.Score s) {
        return Map.of("name", s.name(), "value", s.value(), "reason", s.reason());
    }
}

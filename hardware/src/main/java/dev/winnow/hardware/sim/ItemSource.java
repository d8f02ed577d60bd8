package dev.winnow.hardware.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the belt's items lazily in fixed-length chunks of belt surface. Each chunk draws from
 * its own {@link Random} seeded from (scenario seed, chunk index, stream), so any chunk can be
 * regenerated identically in any order: memory stays bounded (an LRU cache) on arbitrarily long
 * runs and the output depends only on the seed. Thread-safe.
 */
final class ItemSource {

    static final double CHUNK_MM = 250;
    private static final int MAX_PER_CHUNK = (1 << 20) - 1;
    private static final int TUFT_STREAM = 1;
    private static final int CONTAMINANT_STREAM = 2;

    private final Scenario scenario;
    private final double tuftsPerMm;
    private final double contaminantsPerMm;
    private final double inPlayFromMm;
    private final double maxHalfExtent;
    private final ContaminantClass[] classes;
    private final double[] cumulativeWeights;
    private final Map<Long, List<BeltItem>> cache;

    /**
     * @param scenario     never null
     * @param inPlayFromMm contaminants are only placed at belt coordinates at or above this one
     */
    ItemSource(final Scenario scenario, final double inPlayFromMm) {
        this.scenario = scenario;
        final double mmPerSecond = scenario.belt().speedMps() * 1000;
        this.tuftsPerMm = scenario.product().tuftsPerSecond() / mmPerSecond;
        this.contaminantsPerMm = scenario.contaminants().perSecond() / mmPerSecond;
        this.inPlayFromMm = inPlayFromMm;
        final List<ContaminantClass> cls = new ArrayList<>();
        final List<Double> cum = new ArrayList<>();
        double sum = 0;
        double half = scenario.product().tuftMaxMm() / 2;
        final double scale = scenario.contaminants().sizeScale();
        for (final Map.Entry<ContaminantClass, Double> e : scenario.contaminants().mix().entrySet()) {
            if (e.getValue() > 0) {
                sum += e.getValue();
                cls.add(e.getKey());
                cum.add(sum);
                final double l = e.getKey().maxLengthMm() * scale;
                final double w = envelopeWidth(e.getKey(), l, e.getKey().maxThicknessMm() * scale, 1.0);
                half = Math.max(half, Math.hypot(l, w) / 2);
            }
        }
        this.classes = cls.toArray(new ContaminantClass[0]);
        this.cumulativeWeights = cum.stream().mapToDouble(Double::doubleValue).toArray();
        this.maxHalfExtent = half;
        final double span = scenario.nozzleBar().positionMm() + 2 * half + 2_000;
        final int capacity = 2 * ((int) Math.ceil(span / CHUNK_MM) + 8);
        this.cache = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<Long, List<BeltItem>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** @return an upper bound of any item's half extent, in mm, in any direction */
    double maxHalfExtent() {
        return maxHalfExtent;
    }

    /** @return contaminants are only generated at or above this belt coordinate */
    double inPlayFromMm() {
        return inPlayFromMm;
    }

    /** @return chunk index of a belt coordinate */
    static long chunkOf(final double alongMm) {
        return (long) Math.floor(alongMm / CHUNK_MM);
    }

    /** Adds to {@code out}, in deterministic order, tufts whose extent overlaps [from, to]. */
    void tufts(final double from, final double to, final List<BeltItem> out) {
        collect(from, to, TUFT_STREAM, out);
    }

    /** Adds to {@code out}, in deterministic order, contaminants whose extent overlaps [from, to]. */
    void contaminants(final double from, final double to, final List<BeltItem> out) {
        collect(from, to, CONTAMINANT_STREAM, out);
    }

    /** @return the contaminants whose centre lies in chunk k (generated or cached) */
    List<BeltItem> contaminantChunk(final long k) {
        return chunk(k, CONTAMINANT_STREAM);
    }

    private void collect(final double from, final double to, final int stream, final List<BeltItem> out) {
        final long k0 = chunkOf(from - maxHalfExtent);
        final long k1 = chunkOf(to + maxHalfExtent);
        for (long k = k0; k <= k1; k++) {
            for (final BeltItem item : chunk(k, stream)) {
                final double half = item.halfAlongExtent();
                if (item.alongMm() + half >= from && item.alongMm() - half <= to) {
                    out.add(item);
                }
            }
        }
    }

    private synchronized List<BeltItem> chunk(final long k, final int stream) {
        final long key = k * 4 + stream;
        List<BeltItem> items = cache.get(key);
        if (items == null) {
            items = stream == TUFT_STREAM ? makeTufts(k) : makeContaminants(k);
            cache.put(key, items);
        }
        return items;
    }

    private static long mix(final long seed, final long k, final int stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (k * 8 + stream + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long id(final long k, final int index, final int stream) {
        return ((k + (1L << 31)) << 21) | ((long) index << 1) | (stream == CONTAMINANT_STREAM ? 1 : 0);
    }

    static int poisson(final Random random, final double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        final double limit = Math.exp(-mean);
        double p = 1;
        int n = -1;
        do {
            n++;
            p *= random.nextDouble();
        } while (p > limit);
        return n;
    }

    private List<BeltItem> makeTufts(final long k) {
        final Random r = new Random(mix(scenario.seed(), k, TUFT_STREAM));
        final int n = Math.min(MAX_PER_CHUNK, poisson(r, tuftsPerMm * CHUNK_MM));
        final Scenario.Product p = scenario.product();
        final double width = scenario.belt().widthMm();
        final List<BeltItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final double along = (k + r.nextDouble()) * CHUNK_MM;
            final double across = r.nextDouble() * width;
            final double length = p.tuftMinMm() + r.nextDouble() * (p.tuftMaxMm() - p.tuftMinMm());
            final double w = length * (0.55 + 0.45 * r.nextDouble());
            final double theta = r.nextDouble() * Math.PI;
            final double shade = clamp(1 + p.shadeVariation() * r.nextGaussian(), 0.55, 1.08);
            final double yellow = 0.04 * r.nextDouble();
            final int red = clamp255(238 * shade);
            final int green = clamp255(234 * shade * (1 - yellow * 0.5));
            final int blue = clamp255(222 * shade * (1 - yellow * 2));
            final int colour = (red << 16) | (green << 8) | blue;
            final double opacity = clamp(0.45 + 0.55 * p.density() + 0.1 * r.nextGaussian(), 0.2, 1);
            out.add(new BeltItem(id(k, i, TUFT_STREAM), BeltItem.Kind.TUFT, null, across, along, w, length, theta, w,
                    colour, r.nextInt(Sprites.TUFT_VARIANTS), 0, 0, opacity));
        }
        return List.copyOf(out);
    }

    private List<BeltItem> makeContaminants(final long k) {
        final Random r = new Random(mix(scenario.seed(), k, CONTAMINANT_STREAM));
        final int n = classes.length == 0 ? 0 : Math.min(MAX_PER_CHUNK, poisson(r, contaminantsPerMm * CHUNK_MM));
        final double width = scenario.belt().widthMm();
        final double scale = scenario.contaminants().sizeScale();
        final List<BeltItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final double along = (k + r.nextDouble()) * CHUNK_MM;
            final double across = (0.03 + 0.94 * r.nextDouble()) * width;
            final double pick = r.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
            int c = 0;
            while (c < classes.length - 1 && pick >= cumulativeWeights[c]) {
                c++;
            }
            final ContaminantClass cls = classes[c];
            final double length = scale * (cls.minLengthMm() + r.nextDouble() * (cls.maxLengthMm() - cls.minLengthMm()));
            final double thickness = scale * (cls.minThicknessMm()
                    + r.nextDouble() * (cls.maxThicknessMm() - cls.minThicknessMm()));
            final double wiggle = r.nextDouble();
            final double w = envelopeWidth(cls, length, thickness, wiggle);
            final double theta = r.nextDouble() * Math.PI;
            final int[] palette = scenario.contaminants().paletteOf(cls);
            final int colour = palette[r.nextInt(palette.length)];
            final double waves = switch (cls) {
                case STRING -> 1 + r.nextDouble();
                case COLOURED_FIBRE -> 2 + 2 * r.nextDouble();
                case POLYPROPYLENE_TWINE -> 0.5 + 0.5 * r.nextDouble();
                default -> 0;
            };
            final double opacity = cls == ContaminantClass.PLASTIC_FILM ? 0.35 + 0.25 * r.nextDouble() : 1.0;
            final int variant = r.nextInt(Sprites.SHAPE_VARIANTS);
            final double phase = r.nextDouble() * 2 * Math.PI;
            if (along < inPlayFromMm) {
                continue; // drawn above for determinism of the stream, but already past the cameras at start
            }
            out.add(new BeltItem(id(k, i, CONTAMINANT_STREAM), BeltItem.Kind.CONTAMINANT, cls, across, along,
                    w, length, theta, cls.shape() == ContaminantClass.Shape.LINE ? thickness : w,
                    colour, variant, waves, phase, opacity));
        }
        return List.copyOf(out);
    }

    /** Envelope width: the stroke plus the amplitude of its waves (0..1 wiggle picks within the class's range). */
    private static double envelopeWidth(final ContaminantClass cls, final double length, final double thickness,
                                        final double wiggle) {
        return switch (cls) {
            case STRING -> thickness + 2 * length * (0.04 + 0.08 * wiggle);
            case COLOURED_FIBRE -> thickness + 2 * length * (0.08 + 0.08 * wiggle);
            case POLYPROPYLENE_TWINE -> thickness + 2 * length * 0.04 * wiggle;
            case STRAW -> thickness;
            default -> thickness; // film and feather: thickness is drawn as the width
        };
    }

    private static double clamp(final double v, final double lo, final double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int clamp255(final double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}

package dev.winnow.edge.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The processor a measurement ran on. Milliseconds a frame mean little without it: the same model took 5.08 ms on one
 * 2-core machine and 14.4 ms on another, and a Raspberry Pi's cores differ again. Read from {@code /proc/cpuinfo}; on
 * another system only the core count and the JVM's architecture are known.
 *
 * @param cpu   the processor's name ({@code model name} on x86, the board's {@code Model} on a Raspberry Pi), or the
 *              JVM's architecture when the system does not say
 * @param cores processors the JVM may use
 * @param simd  the vector instructions that decide how fast convolutions run, of those this code knows, in a fixed
 *              order: avx2, fma, avx512f, avx512_vnni, avx_vnni (x86); asimd, asimddp (ARM: NEON and its dot product)
 */
public record HostInfo(String cpu, int cores, List<String> simd) {

    /** The flags worth naming, in the order they are reported; /proc/cpuinfo calls them this. */
    static final List<String> KNOWN_SIMD = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "asimd",
            "asimddp");

    public HostInfo {
        simd = List.copyOf(simd);
    }

    /** This machine. Never fails: what cannot be read is left out. */
    public static HostInfo current() {
        final int cores = Runtime.getRuntime().availableProcessors();
        final String arch = System.getProperty("os.arch", "unknown");
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")), cores, arch);
        } catch (IOException | RuntimeException e) {
            return new HostInfo(arch, cores, List.of());
        }
    }

    /** The processor described by a {@code /proc/cpuinfo} text; {@code fallbackCpu} when it names none. */
    static HostInfo parse(final String cpuinfo, final int cores, final String fallbackCpu) {
        String modelName = null;
        String board = null;
        String flags = "";
        for (final String raw : cpuinfo.split("\n")) {
            final int colon = raw.indexOf(':');
            if (colon < 0) {
                continue;
            }
            final String key = raw.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            final String value = raw.substring(colon + 1).trim();
            switch (key) {
                case "model name" -> modelName = modelName == null && !value.isEmpty() ? value : modelName;
                case "model" -> board = !value.isEmpty() && !value.chars().allMatch(Character::isDigit) ? value : board;
                case "flags", "features" -> flags = flags.isEmpty() ? value : flags;
                default -> { }
            }
        }
        final List<String> present = List.of(flags.split("\\s+"));
        final List<String> simd = new ArrayList<>();
        for (final String f : KNOWN_SIMD) {
            if (present.contains(f)) {
                simd.add(f);
            }
        }
        // On a Raspberry Pi "model name" is a generic "ARMv8 Processor rev 1 (v8l)" or missing; its board line names it.
        final String cpu = board != null ? board : modelName != null ? modelName : fallbackCpu;
        return new HostInfo(cpu, cores, simd);
    }

    /**
     * True on an x86 processor (it reports AVX2 or FMA) without 8-bit dot products (AVX-512 VNNI or AVX-VNNI). There
     * an 8-bit model multiplies with instructions that add pairs of products into 16 bits, which is hardly faster
     * than floats and can saturate with full 8-bit weights; the floating-point model is the better choice. False
     * when the processor is unknown.
     */
    public boolean x86WithoutEightBitDotProduct() {
        return (simd.contains("avx2") || simd.contains("fma")) && !simd.contains("avx512_vnni")
                && !simd.contains("avx_vnni");
    }

    /** For a JSON result: {@code {"cpu": ..., "cores": ..., "simd": [...]}}. */
    public Map<String, Object> toMap() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("simd", simd);
        return m;
    }

    /** One line for people: {@code AMD EPYC, 2 cores, avx2 fma}. */
    @Override
    public String toString() {
        return cpu + ", " + cores + (cores == 1 ? " core" : " cores") + (simd.isEmpty() ? "" : ", " + String.join(" ", simd));
    }
}

package dev.winnow.edge.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The machine's CPU time so far, from the first line of {@code /proc/stat}, in clock ticks. On a virtual machine
 * {@code steal} is the time its cores were ready to run but the host ran something else: frames dropped and timing
 * outliers during such a stretch are the machine's, not the agent's, and a benchmark should say so.
 *
 * @param total all ticks (user, nice, system, idle, iowait, irq, softirq, steal)
 * @param busy  ticks spent running something (total minus idle and iowait)
 * @param steal ticks taken by the hypervisor
 */
public record CpuTimes(long total, long busy, long steal) {

    public CpuTimes {
        if (total < 0 || busy < 0 || steal < 0 || busy > total || steal > total) {
            throw new IllegalArgumentException("CPU ticks must be 0 ≤ busy, steal ≤ total, got total " + total
                    + ", busy " + busy + ", steal " + steal);
        }
    }

    /** This machine's, or empty where there is no {@code /proc/stat} (not Linux). */
    public static Optional<CpuTimes> read() {
        try {
            return Optional.of(parse(Files.readString(Path.of("/proc/stat"))));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * @throws IllegalArgumentException when the text has no aggregate {@code cpu} line with at least the four fields
     *                                  every Linux kernel writes
     */
    static CpuTimes parse(final String procStat) {
        for (final String line : procStat.split("\n")) {
            if (!line.startsWith("cpu ")) {
                continue;
            }
            final String[] f = line.substring(4).trim().split("\\s+");
            if (f.length < 4) {
                throw new IllegalArgumentException("/proc/stat's cpu line has " + f.length + " fields, need at least 4: "
                        + line);
            }
            final long[] v = new long[Math.min(f.length, 8)];
            for (int i = 0; i < v.length; i++) {
                try {
                    v[i] = Long.parseLong(f[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("/proc/stat's cpu line field " + (i + 1) + " is not a number: '"
                            + f[i] + "'");
                }
            }
            long total = 0;
            for (final long x : v) {
                total += x;
            }
            final long idle = v[3] + (v.length > 4 ? v[4] : 0);
            final long steal = v.length > 7 ? v[7] : 0;
            return new CpuTimes(total, total - idle, steal);
        }
        throw new IllegalArgumentException("/proc/stat has no aggregate 'cpu ' line");
    }

    /** Share of the machine's CPU time between {@code earlier} and this that the hypervisor took, 0–1. */
    public double stealSince(final CpuTimes earlier) {
        final long dt = total - earlier.total;
        return dt <= 0 ? 0 : Math.max(0, steal - earlier.steal) / (double) dt;
    }

    /** Share of the machine's CPU time between {@code earlier} and this that something ran, 0–1. */
    public double busySince(final CpuTimes earlier) {
        final long dt = total - earlier.total;
        return dt <= 0 ? 0 : Math.max(0, busy - earlier.busy) / (double) dt;
    }
}

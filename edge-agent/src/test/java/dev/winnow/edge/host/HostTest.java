package dev.winnow.edge.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class HostTest {

    private static final String EPYC = """
            processor	: 0
            vendor_id	: AuthenticAMD
            cpu family	: 23
            model		: 49
            model name	: AMD EPYC 7B12
            flags		: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2

            processor	: 1
            model name	: AMD EPYC 7B12
            flags		: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2
            """;

    private static final String PI5 = """
            processor	: 0
            BogoMIPS	: 108.00
            Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
            CPU implementer	: 0x41
            CPU part	: 0xd0b

            Revision	: d04170
            Serial		: 0000000000000000
            Model		: Raspberry Pi 5 Model B Rev 1.0
            """;

    @Test
    void namesAnX86ProcessorAndTheVectorInstructionsThatSetItsSpeed() {
        final HostInfo h = HostInfo.parse(EPYC, 2, "amd64");
        assertThat(h.cpu()).isEqualTo("AMD EPYC 7B12"); // not the numeric "model: 49"
        assertThat(h.simd()).containsExactly("avx2", "fma");
        assertThat(h.toString()).isEqualTo("AMD EPYC 7B12, 2 cores, avx2 fma");
    }

    @Test
    void tellsWhetherAnX86ProcessorHasEightBitDotProducts() {
        assertThat(HostInfo.parse(EPYC, 2, "amd64").x86WithoutEightBitDotProduct()).isTrue();
        final HostInfo zen4 = HostInfo.parse("model name : AMD EPYC 9B14\nflags : fma avx2 avx512f avx512_vnni avx512_bf16\n",
                2, "amd64");
        assertThat(zen4.simd()).containsExactly("avx2", "fma", "avx512f", "avx512_vnni");
        assertThat(zen4.x86WithoutEightBitDotProduct()).isFalse();
        final HostInfo alderLake = HostInfo.parse("model name : 12th Gen Intel(R) Core(TM) i5-12400\n"
                + "flags : fma avx2 avx_vnni\n", 6, "amd64");
        assertThat(alderLake.simd()).containsExactly("avx2", "fma", "avx_vnni");
        assertThat(alderLake.x86WithoutEightBitDotProduct()).isFalse();
        assertThat(HostInfo.parse(PI5, 4, "aarch64").x86WithoutEightBitDotProduct()).isFalse();
    }

    @Test
    void namesARaspberryPiByItsBoardAndItsNeonDotProduct() {
        final HostInfo h = HostInfo.parse(PI5, 4, "aarch64");
        assertThat(h.cpu()).isEqualTo("Raspberry Pi 5 Model B Rev 1.0");
        assertThat(h.simd()).containsExactly("asimd", "asimddp");
    }

    @Test
    void fallsBackToTheArchitectureWhenCpuinfoNamesNothing() {
        final HostInfo h = HostInfo.parse("processor : 0\n", 1, "aarch64");
        assertThat(h.cpu()).isEqualTo("aarch64");
        assertThat(h.simd()).isEmpty();
        assertThat(h.toString()).isEqualTo("aarch64, 1 core");
    }

    @Test
    void stealAndBusyAreSharesOfTheTicksBetweenTwoReadings() {
        final CpuTimes a = CpuTimes.parse("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n");
        // +100 user, +0 nice, +20 system, +60 idle, +10 iowait, +0 irq, +0 softirq, +10 steal = 200 ticks
        final CpuTimes b = CpuTimes.parse("cpu  200 0 70 860 60 0 0 10 0 0\n");
        assertThat(b.stealSince(a)).isCloseTo(0.05, within(1e-12));
        assertThat(b.busySince(a)).isCloseTo(130 / 200.0, within(1e-12)); // user + system + steal
        assertThat(a.stealSince(a)).isZero();
    }

    @Test
    void anOldKernelWithoutAStealFieldReportsNoSteal() {
        final CpuTimes t = CpuTimes.parse("cpu  10 0 5 85\n");
        assertThat(t.total()).isEqualTo(100);
        assertThat(t.steal()).isZero();
    }

    @Test
    void aProcStatWithoutItsCpuLineIsRefusedWithWhatIsMissing() {
        assertThatThrownBy(() -> CpuTimes.parse("intr 1 2 3\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no aggregate 'cpu ' line");
        assertThatThrownBy(() -> CpuTimes.parse("cpu  1 2 3\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 fields, need at least 4");
        assertThatThrownBy(() -> CpuTimes.parse("cpu  1 2 x 4\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 3 is not a number: 'x'");
    }

    @Test
    void theMeterRecordsHowLateEachSleepEnded() throws Exception {
        final AtomicLong now = new AtomicLong();
        final long[] overruns = {20_000, 30_000, 40_000, 10_000, 12_000_000}; // ns; the last one a 12 ms stall
        final int[] i = {0};
        final HiccupMeter meter = new HiccupMeter(now::get, n -> now.addAndGet(n + overruns[i[0]++]));
        for (int k = 0; k < overruns.length; k++) {
            meter.step();
        }
        final HiccupMeter.Snapshot s = meter.snapshot();
        assertThat(s.samples()).isEqualTo(5);
        assertThat(s.p50Ms()).isCloseTo(0.05, within(1e-9)); // 30 µs, reported to the bucket's upper edge
        assertThat(s.p99Ms()).isCloseTo(12.0, within(1e-9)); // the stall, exactly (it is the max)
        assertThat(s.maxMs()).isCloseTo(12.0, within(1e-9));
        assertThat(s.toMap()).containsEntry("max", 12.0).containsEntry("samples", 5L);
    }

    @Test
    void anEarlyWakeUpCountsAsOnTime() throws Exception {
        final AtomicLong now = new AtomicLong();
        final HiccupMeter meter = new HiccupMeter(now::get, n -> now.addAndGet(n - 5_000));
        meter.step();
        assertThat(meter.snapshot().maxMs()).isZero();
    }

    @Test
    void theLoadOfARunSaysWhatItMeasured() {
        final HostLoad load = new HostLoad(new HostInfo("AMD EPYC 7B12", 2, List.of("avx2", "fma")), Optional.of(0.97),
                Optional.of(0.008), new HiccupMeter.Snapshot(60_000, 0.05, 0.35, 12.1));
        assertThat(load.toString()).isEqualTo(
                "AMD EPYC 7B12, 2 cores, avx2 fma; busy 97.0 %, steal 0.8 %; 1-ms sleeps overran p99 0.35 ms, max 12.1 ms");
        assertThat(load.toMap()).containsEntry("cpu", "AMD EPYC 7B12").containsEntry("steal_pct", 0.8)
                .containsEntry("busy_pct", 97.0).containsKey("hiccup_ms");
    }

    @Test
    void aRealMeterOnThisMachineMeasuresItsSleeps() throws Exception {
        final HostLoad.Measurement m = HostLoad.start();
        Thread.sleep(100);
        final HostLoad load = m.finish();
        assertThat(load.hiccups().samples()).isPositive();
        assertThat(load.host().cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}

package dev.winnow.edge.cli;

import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.hardware.pi.HardwarePins;
import dev.winnow.hardware.pi.PiHardware;
import dev.winnow.hardware.sim.LineClock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code winnow-agent test-fire --valve N [--ms M]}: commissioning — one pulse on one valve. */
@Command(name = "test-fire", mixinStandardHelpOptions = true, description = "Fire one valve once (commissioning).")
public final class TestFireCommand implements Callable<Integer> {

    @Option(names = "--valve", required = true, description = "Valve number, 0-based.")
    int valve;

    @Option(names = "--ms", defaultValue = "50", description = "Pulse length, ms (1..1000, default ${DEFAULT-VALUE}).")
    double ms;

    @Option(names = "--mock", description = "Use Pi4J's mock platform (no GPIO), e.g. to try the command off a Pi.")
    boolean mock;

    @Override
    public Integer call() throws Exception {
        if (!(ms >= 1 && ms <= 1000)) {
            throw new IllegalArgumentException("--ms must be in [1, 1000]");
        }
        if (!mock && !PiHardware.isRaspberryPi()) {
            System.err.println("winnow-agent: this machine is not a Raspberry Pi (/proc/device-tree/model does not name "
                    + "one): there are no valves to fire. Run it on the line's Pi, or add --mock to try it.");
            return 2;
        }
        try (PiHardware hw = mock ? PiHardware.mock() : PiHardware.open(HardwarePins.defaults(), 0.1)) {
            if (valve < 0 || valve >= hw.valves().size()) {
                throw new IllegalArgumentException("--valve must be 0.." + (hw.valves().size() - 1));
            }
            final LineClock clock = LineClock.system();
            final TimingLog timing = new TimingLog(16);
            try (ValveScheduler s = new ValveScheduler(hw.valves(), clock, 1_000_000_000L, 0, timing)) {
                s.start();
                // a moment's lead so the timing thread is parked and warm when the pulse is due, as on a running line
                final long t = clock.nanos() + 250_000_000L;
                s.schedule(valve, valve, t, t + Math.round(ms * 1e6));
                while (timing.count() < 2) {
                    Thread.sleep(5);
                }
                final double[] p = timing.percentilesMs();
                System.out.printf("winnow-agent: valve %d fired for %.1f ms%s (switching error max %.3f ms)%n", valve, ms,
                        hw.isMock() ? " on the mock platform" : "", p[2]);
            }
        }
        return 0;
    }
}

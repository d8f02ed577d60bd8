package dev.winnow.edge.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.edge.camera.StallWatchdog;
import dev.winnow.edge.config.AgentConfig;
import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.hardware.interlock.StopLineRelay;
import dev.winnow.hardware.light.StackLight;
import dev.winnow.hardware.light.StackLightState;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.valve.ValveBank;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class FailSafeTest {

    static final class Light implements StackLight {
        StackLightState state = StackLightState.OFF;

        @Override
        public void show(final StackLightState s) {
            state = s;
        }

        @Override
        public StackLightState current() {
            return state;
        }
    }

    static final class Relay implements StopLineRelay {
        boolean stopped;

        @Override
        public void stopLine(final boolean stop) {
            stopped = stop;
        }

        @Override
        public boolean lineStopped() {
            return stopped;
        }
    }

    static final class Bank implements ValveBank {
        final boolean[] open = new boolean[4];

        @Override
        public int size() {
            return open.length;
        }

        @Override
        public void open(final int v) {
            open[v] = true;
        }

        @Override
        public void close(final int v) {
            open[v] = false;
        }

        @Override
        public void closeAll() {
            java.util.Arrays.fill(open, false);
        }

        @Override
        public boolean isOpen(final int v) {
            return open[v];
        }

        @Override
        public void close() {
            closeAll();
        }
    }

    /** A camera whose frames the test controls. */
    static final class Cam implements StallWatchdog.Watched {
        long last;
        boolean failing;
        boolean ended;

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public String cameraId() {
            return "colour-1";
        }

        @Override
        public long lastFrameNanos() {
            return last;
        }

        @Override
        public boolean inferenceFailing() {
            return failing;
        }
    }

    @Test
    void aReplayThatRanOutIsAStallThatSaysSo() {
        final ManualClock clock = new ManualClock();
        final List<FailSafe.Change> changes = new ArrayList<>();
        final FailSafe fs = new FailSafe(AgentConfig.FailSafe.ALARM, new Light(), new Relay(), null, changes::add);
        fs.start(false);
        final Cam cam = new Cam();
        cam.ended = true;
        final StallWatchdog wd = new StallWatchdog(List.of(cam), clock, 2_000_000_000L, fs);
        clock.advanceMillis(2_100);
        wd.check();
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.cause()).isEqualTo("camera_stall");
            assertThat(c.message()).isEqualTo("camera colour-1: its file or folder has run out (no frame for 2100 ms; "
                    + "set loop: true to replay it)");
        });
    }

    @Test
    void stopLinePolicyDropsThePermitOnAStallAndGivesItBackOnRecovery() {
        final ManualClock clock = new ManualClock();
        final Light light = new Light();
        final Relay relay = new Relay();
        final List<FailSafe.Change> changes = new ArrayList<>();
        final FailSafe fs = new FailSafe(AgentConfig.FailSafe.STOP_LINE, light, relay, null, changes::add);
        fs.start(false);
        assertThat(light.state).isEqualTo(StackLightState.RUNNING);
        final Cam cam = new Cam();
        final StallWatchdog wd = new StallWatchdog(List.of(cam), clock, 2_000_000_000L, fs);
        clock.advanceMillis(1_900);
        wd.check();
        assertThat(relay.stopped).isFalse();
        clock.advanceMillis(200);
        wd.check();
        assertThat(relay.stopped).isTrue();
        assertThat(light.state).isEqualTo(StackLightState.FAULT);
        assertThat(changes).singleElement().extracting(FailSafe.Change::cause).isEqualTo("camera_stall");
        wd.check();
        assertThat(changes).hasSize(1); // raised once
        cam.last = clock.nanos();
        wd.check();
        assertThat(relay.stopped).isFalse();
        assertThat(light.state).isEqualTo(StackLightState.RUNNING);
        assertThat(changes).hasSize(2);
    }

    @Test
    void rejectAllOpensEveryValveDutyCycledUnderTheCap() {
        final ManualClock clock = new ManualClock(1_000_000_000L);
        final Bank bank = new Bank();
        final ValveScheduler s = new ValveScheduler(bank, clock, 100_000_000L, 0, new TimingLog(64));
        final FailSafe fs = new FailSafe(AgentConfig.FailSafe.REJECT_ALL, new Light(), new Relay(), s, c -> { });
        fs.fault("inference_failure", "uv-1", "boom");
        s.runDue();
        assertThat(bank.open).containsOnly(true);
        clock.advanceMillis(100);
        s.runDue();
        assertThat(bank.open).containsOnly(false); // the cap holds even in reject-all
        clock.advanceMillis(20);
        s.runDue();
        assertThat(bank.open).containsOnly(true);
        fs.clear("inference_failure", "uv-1");
        assertThat(bank.open).containsOnly(false);
    }

    @Test
    void alarmPolicyOnlyLightsRedAndReports() {
        final Light light = new Light();
        final Relay relay = new Relay();
        final AtomicReference<FailSafe.Change> last = new AtomicReference<>();
        final FailSafe fs = new FailSafe(AgentConfig.FailSafe.ALARM, light, relay, null, last::set);
        fs.start(true);
        assertThat(light.state).isEqualTo(StackLightState.AUDIT);
        fs.fault("interlock", null, "air pressure low");
        assertThat(light.state).isEqualTo(StackLightState.FAULT);
        assertThat(relay.stopped).isFalse();
        assertThat(last.get().message()).isEqualTo("air pressure low");
        fs.warning("escape_rate", true, "escape rate 5 %");
        fs.clear("interlock", null);
        assertThat(light.state).isEqualTo(StackLightState.WARNING);
    }

    @Test
    void eachCameraFallingBehindIsItsOwnWarningAndTheLightStaysAmberUntilBothKeepUp() {
        final Light light = new Light();
        final List<FailSafe.Change> changes = new ArrayList<>();
        final FailSafe fs = new FailSafe(AgentConfig.FailSafe.ALARM, light, new Relay(), null, changes::add);
        fs.start(false);
        fs.warning("falling_behind", "colour-1", true, "camera colour-1 is falling behind");
        fs.warning("falling_behind", "uv-1", true, "camera uv-1 is falling behind");
        fs.warning("falling_behind", "colour-1", true, "raised again: no new alarm");
        assertThat(changes).hasSize(2).extracting(FailSafe.Change::camera).containsExactly("colour-1", "uv-1");
        fs.warning("falling_behind", "colour-1", false, "camera colour-1 keeps up again");
        assertThat(light.state).as("uv-1 is still behind").isEqualTo(StackLightState.WARNING);
        fs.warning("falling_behind", "uv-1", false, "camera uv-1 keeps up again");
        assertThat(light.state).isEqualTo(StackLightState.RUNNING);
        assertThat(changes).hasSize(4);
        assertThat(changes.get(3).camera()).isEqualTo("uv-1");
    }

    @Test
    void aChangeBecomesTheAlarmTheUplinkSendsWithItsCameraCauseAndSeverity() {
        final List<FailSafe.Change> changes = new ArrayList<>();
        final FailSafe fs = new FailSafe(AgentConfig.FailSafe.ALARM, null, null, null, changes::add);
        fs.warning("falling_behind", "colour-1", true, "camera colour-1 dropped 12.0 % of its last 600 frames");
        final java.time.Instant at = java.time.Instant.parse("2026-12-06T10:00:00Z");
        final dev.winnow.protocol.Alarm alarm = changes.get(0).toAlarm(at);
        assertThat(alarm.time()).isEqualTo(at);
        assertThat(alarm.state()).isEqualTo(dev.winnow.protocol.Alarm.State.RAISED);
        assertThat(alarm.severity()).isEqualTo(dev.winnow.protocol.Alarm.Severity.WARNING);
        assertThat(alarm.cause()).isEqualTo("falling_behind");
        assertThat(alarm.camera()).isEqualTo("colour-1");
        assertThat(alarm.message()).contains("12.0 %");
        assertThat(changes.get(0).toAlarm(at).id()).as("each alarm message its own id").isNotEqualTo(alarm.id());
        assertThat(changes.get(0).describe())
                .isEqualTo("raised falling_behind [colour-1]: camera colour-1 dropped 12.0 % of its last 600 frames");
    }
}

package dev.winnow.edge.eject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.valve.ValveBank;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ValveSchedulerTest {

    /** Records every switching with the clock reading at that moment. */
    static class RecordingBank implements ValveBank {
        final boolean[] state;
        final List<String> log = new ArrayList<>();
        final ManualClock clock;

        RecordingBank(final int n, final ManualClock clock) {
            this.state = new boolean[n];
            this.clock = clock;
        }

        @Override
        public int size() {
            return state.length;
        }

        @Override
        public void open(final int valve) {
            state[valve] = true;
            log.add(clock.nanos() / 1_000_000 + "ms open " + valve);
        }

        @Override
        public void close(final int valve) {
            state[valve] = false;
            log.add(clock.nanos() / 1_000_000 + "ms close " + valve);
        }

        @Override
        public void closeAll() {
            java.util.Arrays.fill(state, false);
            log.add("closeAll");
        }

        @Override
        public boolean isOpen(final int valve) {
            return state[valve];
        }

        @Override
        public void close() {
            closeAll();
        }
    }

    private final ManualClock clock = new ManualClock();
    private final RecordingBank bank = new RecordingBank(4, clock);
    private final TimingLog timing = new TimingLog(64);
    private final ValveScheduler scheduler = new ValveScheduler(bank, clock, ms(50), ms(2), timing);

    private static long ms(final long ms) {
        return ms * 1_000_000L;
    }

    private void runUntil(final long nanos) {
        while (clock.nanos() < nanos) {
            clock.advance(ms(1));
            scheduler.runDue();
        }
    }

    @Test
    void opensAndClosesOnTime() {
        scheduler.schedule(1, 2, ms(10), ms(20));
        runUntil(ms(30));
        assertThat(bank.log).containsExactly("10ms open 1", "10ms open 2", "20ms close 1", "20ms close 2");
        assertThat(scheduler.cycles()).isEqualTo(2);
        assertThat(timing.percentilesMs()[2]).isZero();
    }

    @Test
    void mergesOverlappingAndNearlyTouchingPulses() {
        scheduler.schedule(0, 0, ms(10), ms(20));
        scheduler.schedule(0, 0, ms(15), ms(25));
        scheduler.schedule(0, 0, ms(26), ms(30)); // 1 ms gap < 2 ms merge gap
        scheduler.schedule(0, 0, ms(40), ms(45)); // separate
        runUntil(ms(60));
        assertThat(bank.log).containsExactly("10ms open 0", "30ms close 0", "40ms open 0", "45ms close 0");
    }

    @Test
    void extendsAValveThatIsAlreadyOpen() {
        scheduler.schedule(3, 3, ms(10), ms(20));
        runUntil(ms(12));
        scheduler.schedule(3, 3, ms(15), ms(28));
        runUntil(ms(40));
        assertThat(bank.log).containsExactly("10ms open 3", "28ms close 3");
    }

    @Test
    void capsOnTimeWhateverWasPlanned() {
        scheduler.schedule(0, 0, ms(10), ms(500));
        runUntil(ms(100));
        assertThat(bank.log).containsExactly("10ms open 0", "60ms close 0");
        assertThat(scheduler.capClosures()).isEqualTo(1);
        assertThat(scheduler.idle()).isTrue();
    }

    @Test
    void recordsLateSwitchingAsTimingError() {
        scheduler.schedule(0, 0, ms(10), ms(20));
        clock.advance(ms(13));
        scheduler.runDue();
        assertThat(timing.percentilesMs()[2]).isEqualTo(3.0);
    }

    @Test
    void closeLeavesEveryValveClosed() {
        scheduler.schedule(0, 3, ms(1), ms(100));
        runUntil(ms(5));
        assertThat(bank.state).contains(true);
        scheduler.close();
        assertThat(bank.state).containsOnly(false);
        assertThat(scheduler.idle()).isTrue();
    }

    @Test
    void scheduleOnlyHandsOffTheTimingPassSwitches() {
        clock.advance(ms(5));
        assertThat(scheduler.schedule(0, 1, ms(1), ms(20))).isTrue();
        // The caller never touches the valves (nor waits for the timing thread): nothing switched yet.
        assertThat(bank.state).containsOnly(false);
        assertThat(scheduler.idle()).isFalse();
        scheduler.runDue();
        assertThat(bank.state[0]).isTrue();
        assertThat(bank.state[1]).isTrue();
        // A late request opens at once and the lateness is a timing error.
        assertThat(timing.percentilesMs()[2]).isEqualTo(4.0);
    }

    @Test
    void aFullHandOffRefusesInsteadOfBlocking() {
        for (int i = 0; i < ValveScheduler.HANDOFF; i++) {
            assertThat(scheduler.schedule(0, 0, ms(10 + 10 * i), ms(12 + 10 * i))).isTrue();
        }
        assertThat(scheduler.schedule(1, 1, ms(10), ms(20))).isFalse();
        assertThat(scheduler.refused()).isGreaterThanOrEqualTo(1);
        scheduler.runDue();
        assertThat(scheduler.schedule(1, 1, ms(10), ms(20))).isTrue();
    }

    @Test
    void aValveQueueOverflowIsCountedAsRefused() {
        for (int i = 0; i < ValveScheduler.SLOTS + 3; i++) {
            scheduler.schedule(2, 2, ms(10 + 10 * i), ms(12 + 10 * i));
        }
        scheduler.runDue();
        assertThat(scheduler.refused()).isEqualTo(3);
    }

    @Test
    void isNotIdleBetweenTakingRequestsAndCountingItsBusyValves() {
        // Another thread may ask idle() at any instant of the timing pass; the bank's open() is such an instant:
        // the requests are merged by then but the pass has not yet counted the valves they keep busy.
        final List<Boolean> idleWhileSwitching = new ArrayList<>();
        final ValveScheduler[] self = new ValveScheduler[1];
        final RecordingBank asking = new RecordingBank(4, clock) {
            @Override
            public void open(final int valve) {
                idleWhileSwitching.add(self[0].idle());
                super.open(valve);
            }
        };
        self[0] = new ValveScheduler(asking, clock, ms(50), ms(2), timing);
        self[0].schedule(0, 0, 0, ms(5));
        self[0].runDue();
        assertThat(idleWhileSwitching).containsExactly(false);
        assertThat(self[0].idle()).isFalse();
    }

    @Test
    void theTimingThreadSwitchesWhileAnotherThreadHoldsItsOwnLocks() throws Exception {
        // With a real thread: requests from several threads all arrive and the bank ends closed and idle.
        final ValveScheduler live = new ValveScheduler(bank, dev.winnow.hardware.sim.LineClock.system(), ms(50), ms(2),
                timing);
        live.start();
        final long now = System.nanoTime();
        final Thread[] producers = new Thread[4];
        for (int t = 0; t < producers.length; t++) {
            final int valve = t;
            producers[t] = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    live.schedule(valve, valve, now + ms(2 + i), now + ms(3 + i));
                }
            });
            producers[t].start();
        }
        for (final Thread t : producers) {
            t.join();
        }
        final long deadline = System.nanoTime() + ms(2_000);
        while (!live.idle() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(live.idle()).isTrue();
        assertThat(live.cycles()).isBetween(4L, 80L);
        live.close();
        assertThat(bank.state).containsOnly(false);
    }
}

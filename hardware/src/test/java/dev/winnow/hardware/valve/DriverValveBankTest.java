package dev.winnow.hardware.valve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DriverValveBankTest {

    /** A fake expander recording its latch. */
    private static final class FakeDriver implements ValveDriver {
        final boolean[] latch = new boolean[4];
        boolean closed;

        @Override
        public int channels() {
            return latch.length;
        }

        @Override
        public void set(final int channel, final boolean energised) {
            latch[channel] = energised;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void drivesChannelsAndClosesEverythingOnClose() {
        final FakeDriver driver = new FakeDriver();
        final DriverValveBank bank = new DriverValveBank(driver);
        bank.open(1);
        bank.open(2);
        assertThat(driver.latch).containsExactly(false, true, true, false);
        bank.close(1);
        assertThat(bank.isOpen(1)).isFalse();
        assertThat(bank.isOpen(2)).isTrue();
        bank.close();
        assertThat(driver.latch).containsOnly(false);
        assertThat(driver.closed).isTrue();
        assertThatThrownBy(() -> bank.open(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> bank.isOpen(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valve index 4").hasMessageContaining("[0, 3]");
    }
}

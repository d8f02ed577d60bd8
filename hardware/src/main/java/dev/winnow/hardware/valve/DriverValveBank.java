package dev.winnow.hardware.valve;

import java.util.Objects;

/** A {@link ValveBank} over any {@link ValveDriver} (for instance an I²C expander). Thread-safe. */
public final class DriverValveBank implements ValveBank {

    private final ValveDriver driver;
    private final boolean[] open;
    private boolean closed;

    /** @param driver the channel driver, never null; owned (closed) by this bank */
    public DriverValveBank(final ValveDriver driver) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.open = new boolean[driver.channels()];
    }

    @Override
    public int size() {
        return open.length;
    }

    @Override
    public synchronized void open(final int valve) {
        Valves.checkIndex(valve, open.length);
        if (closed) {
            throw new IllegalStateException("valve bank is closed");
        }
        driver.set(valve, true);
        open[valve] = true;
    }

    @Override
    public synchronized void close(final int valve) {
        Valves.checkIndex(valve, open.length);
        if (!closed) {
            driver.set(valve, false);
        }
        open[valve] = false;
    }

    @Override
    public synchronized void closeAll() {
        for (int i = 0; i < open.length; i++) {
            if (!closed) {
                driver.set(i, false);
            }
            open[i] = false;
        }
    }

    @Override
    public synchronized boolean isOpen(final int valve) {
        Valves.checkIndex(valve, open.length);
        return open[valve];
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closeAll();
        closed = true;
        driver.close();
    }
}

package dev.winnow.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

final class Await {
    private Await() {
    }

    static void until(final String what, final Duration timeout, final BooleanSupplier condition)
            throws InterruptedException {
        until(what, timeout, condition, () -> "");
    }

    /** As above; on timeout the message ends with {@code state}, e.g. the ingest's counters, for diagnosis. */
    static void until(final String what, final Duration timeout, final BooleanSupplier condition,
                      final java.util.function.Supplier<String> state) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + state.get());
            }
            Thread.sleep(20);
        }
    }
}

package dev.winnow.hardware.valve;

/** Shared argument checks for {@link ValveBank} implementations. */
public final class Valves {

    private Valves() {
    }

    /**
     * @param valve the index to check
     * @param size  the bank size
     * @return {@code valve}, if it lies in {@code 0 .. size-1}
     * @throws IllegalArgumentException naming the index and the allowed range otherwise
     */
    public static int checkIndex(final int valve, final int size) {
        if (valve < 0 || valve >= size) {
            throw new IllegalArgumentException(
                    "valve index " + valve + " is out of range [0, " + (size - 1) + "]");
        }
        return valve;
    }
}

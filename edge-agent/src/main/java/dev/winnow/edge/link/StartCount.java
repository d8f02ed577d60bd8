package dev.winnow.edge.link;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How many times the agent has started on this device, kept in {@code {stateDir}/starts} and sent in every status
 * ({@code boot}). The server orders a device's statuses by it before their time: a Pi has no real-time clock, so an
 * agent that starts before NTP has set the clock may stamp its first statuses earlier than the last ones before the
 * restart, and a server going by time alone would keep showing what ran before.
 */
public final class StartCount {

    static final String FILE = "starts";

    private StartCount() {
    }

    /**
     * Counts this start: the count before plus one (1 the first time), written before it is returned.
     *
     * @throws IOException the file cannot be written, or holds something other than a count (it is left as it is,
     *                     and the message names it: a count that went back would make the server ignore the device)
     */
    public static long next(final Path stateDir) throws IOException {
        final Path file = stateDir.resolve(FILE);
        long before = 0;
        if (Files.exists(file)) {
            final String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            try {
                before = Long.parseLong(text);
            } catch (final NumberFormatException e) {
                before = -1;
            }
            if (before < 1 || before == Long.MAX_VALUE) {
                throw new IOException(file + " must hold the agent's start count (a whole number of 1 or more), "
                        + "holds '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                        + "'; delete it to count from 1 again");
            }
        }
        final long count = before + 1;
        Files.createDirectories(stateDir);
        final Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, count + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return count;
    }
}

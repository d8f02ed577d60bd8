package dev.winnow.edge.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * sd_notify for the systemd unit (Type=notify, WatchdogSec=, NotifyAccess=all): READY, STATUS,
 * WATCHDOG and STOPPING through the {@code systemd-notify} tool, since Java 17 has no Unix datagram
 * sockets. Watchdog pings are throttled to half of {@code WATCHDOG_USEC}. A no-op outside systemd.
 */
final class SystemdNotify {

    private final boolean enabled;
    private final long watchdogIntervalNanos;
    private long lastWatchdog;

    private SystemdNotify(final boolean enabled, final long watchdogIntervalNanos) {
        this.enabled = enabled;
        this.watchdogIntervalNanos = watchdogIntervalNanos;
    }

    static SystemdNotify fromEnvironment() {
        final String socket = System.getenv("NOTIFY_SOCKET");
        final String usec = System.getenv("WATCHDOG_USEC");
        long interval = 5_000_000_000L;
        try {
            if (usec != null) {
                interval = Long.parseLong(usec) * 1000 / 2;
            }
        } catch (final NumberFormatException e) {
            // keep the default
        }
        return new SystemdNotify(socket != null && !socket.isBlank(), interval);
    }

    void send(final String state) {
        if (!enabled) {
            return;
        }
        if (state.equals("WATCHDOG=1")) {
            final long now = System.nanoTime();
            if (lastWatchdog != 0 && now - lastWatchdog < watchdogIntervalNanos) {
                return;
            }
            lastWatchdog = now;
        }
        try {
            final java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("systemd-notify",
                    "--pid=" + ProcessHandle.current().pid()));
            cmd.addAll(java.util.List.of(state.split("\n")));
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (final IOException e) {
            // not under systemd after all
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

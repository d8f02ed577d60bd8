package dev.winnow.edge.link;

import dev.winnow.protocol.RejectEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in agent in its own JVM for the kill -9 test: sends reject events {@code {device}-{i}} for i in
 * [from, to) through a real {@link Uplink} and prints {@code W i} once event i is durably written, then
 * {@code DONE} when the outbox is empty. Args: url state site line device from to perSecond user password.
 */
public final class AgentProcess {

    public static void main(final String[] a) throws Exception {
        final String url = a[0];
        final Path state = Path.of(a[1]);
        final String site = a[2];
        final String line = a[3];
        final String device = a[4];
        final int from = Integer.parseInt(a[5]);
        final int to = Integer.parseInt(a[6]);
        final double perSecond = Double.parseDouble(a[7]);
        final Uplink link = new Uplink(new Uplink.Settings(url, site, line, device, a[8], a[9], state, "test"),
                Clock.systemUTC());
        link.start(null, c -> { });
        final long t0 = System.nanoTime();
        for (int i = from; i < to; i++) {
            final long due = t0 + (long) ((i - from) / perSecond * 1e9);
            while (System.nanoTime() < due) {
                Thread.sleep(1);
            }
            link.send(event(device + "-" + i));
            System.out.println("W " + i);
            System.out.flush();
        }
        link.drain(120, TimeUnit.SECONDS);
        System.out.println("DONE " + link.pending());
        System.out.flush();
        link.close();
    }

    static RejectEvent event(final String id) {
        return new RejectEvent(id, Instant.now(), "cam0", "straw", 0.91, 12_345.5, 410, 12, 30, List.of(7, 8), 18,
                false, "colour-1.0.0", "lot-42", null);
    }
}

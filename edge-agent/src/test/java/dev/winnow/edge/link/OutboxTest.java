package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    private static final Outbox.Limits SMALL = new Outbox.Limits(256 * 1024, 8 * 1024, 8 * 1024);

    private static byte[] payload(final int i) {
        return ("{\"id\":\"ev-" + i + "\",\"pad\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> drainIds(final Outbox o, final boolean ack) throws IOException {
        final List<String> ids = new ArrayList<>();
        List<Outbox.Entry> batch;
        while (!(batch = o.next(7)).isEmpty()) {
            for (Outbox.Entry e : batch) {
                ids.add(new String(e.payload(), StandardCharsets.UTF_8).substring(7).split("\"")[0]);
                if (ack) {
                    o.ack(e.seq());
                }
            }
        }
        return ids;
    }

    @Test
    void replaysUnacknowledgedInOrderAfterReopen(@TempDir final Path dir) throws Exception {
        try (Outbox o = Outbox.open(dir, SMALL)) {
            for (int i = 0; i < 500; i++) {
                assertThat(o.append("t/" + i, payload(i), i, false)).isEqualTo(i + 1);
            }
            // send 300, acknowledge the first 200 and some beyond, out of order
            final List<Outbox.Entry> sent = new ArrayList<>();
            while (sent.size() < 300) {
                sent.addAll(o.next(300 - sent.size()));
            }
            for (int i = 199; i >= 0; i--) {
                o.ack(sent.get(i).seq());
            }
            o.ack(sent.get(250).seq());
            assertThat(o.pending()).isEqualTo(299);
        }
        try (Outbox o = Outbox.open(dir, SMALL)) {
            assertThat(o.recovered()).isGreaterThanOrEqualTo(299);
            final List<String> ids = drainIds(o, true);
            // at-least-once: ids 200..499 in order (251 may come again: the server deduplicates)
            assertThat(ids.stream().distinct().toList()).startsWith("ev-200", "ev-201").endsWith("ev-499");
            assertThat(ids.stream().distinct()).hasSize(300);
            assertThat(o.pending()).isZero();
        }
        try (Outbox o = Outbox.open(dir, SMALL); Stream<Path> files = Files.list(dir)) {
            assertThat(o.pending()).isZero();
            assertThat(o.next(10)).isEmpty();
            assertThat(files.filter(p -> p.toString().endsWith(".seg")).count()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void cutsATornTailAndKeepsEverythingBeforeIt(@TempDir final Path dir) throws Exception {
        try (Outbox o = Outbox.open(dir, new Outbox.Limits(1 << 20, 1 << 19, 8192))) {
            for (int i = 0; i < 10; i++) {
                o.append("t", payload(i), i, false);
            }
        }
        final Path seg;
        try (Stream<Path> files = Files.list(dir)) {
            seg = files.filter(p -> p.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
        }
        // power loss in the middle of the 11th record: half a header and some garbage
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 7, 7, 7}));
        }
        // and a flipped byte would be caught by the CRC too
        try (Outbox o = Outbox.open(dir, SMALL)) {
            assertThat(o.truncatedBytes()).isEqualTo(7);
            assertThat(drainIds(o, true)).hasSize(10).first().isEqualTo("ev-0");
            assertThat(o.append("t", payload(10), 0, false)).isEqualTo(11);
        }
    }

    @Test
    void refusesWhenFullAndKeepsTheReserveForAlarms(@TempDir final Path dir) throws Exception {
        try (Outbox o = Outbox.open(dir, new Outbox.Limits(64 * 1024, 8 * 1024, 4 * 1024))) {
            int accepted = 0;
            while (o.append("t", payload(accepted), 0, false) > 0) {
                accepted++;
            }
            assertThat(o.refused()).isEqualTo(1);
            assertThat(o.fillRatio()).isGreaterThan(0.9);
            assertThat(o.append("alarm", payload(-1), 0, true)).isPositive();
            // acknowledging frees space again
            final List<String> ids = drainIds(o, true);
            assertThat(ids).hasSize(accepted + 1);
            assertThat(o.bytes()).isLessThan(16 * 1024);
            assertThat(o.append("t", payload(0), 0, false)).isPositive();
        }
    }

    @Test
    void rewindSendsInFlightAgain(@TempDir final Path dir) throws Exception {
        try (Outbox o = Outbox.open(dir, SMALL)) {
            for (int i = 0; i < 5; i++) {
                o.append("t", payload(i), 0, false);
            }
            final List<Outbox.Entry> first = o.next(3);
            o.ack(first.get(1).seq());
            o.rewind();
            assertThat(drainIds(o, false)).containsExactly("ev-0", "ev-2", "ev-3", "ev-4");
        }
    }
}

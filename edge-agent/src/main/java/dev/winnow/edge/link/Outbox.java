package dev.winnow.edge.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's durable outbox: every event is on disk (fsync'd) before {@link #append} returns and
 * stays there until the broker has acknowledged it (QoS 1 PUBACK), across broker outages, crashes
 * ({@code kill -9}) and power loss.
 *
 * <h2>Why append-only segment files</h2>
 * The access pattern is a queue: append at the tail, send in order, drop from the head once
 * acknowledged. Append-only files with a checksum per record make that cheap (one sequential write
 * and one {@code fsync} per event, no page rewrites, no write amplification on an SD card) and make
 * recovery simple and total: scan the records, stop at the first one whose length or CRC does not
 * check (a torn write at the moment of power loss) and cut the file there. An embedded database
 * (H2, SQLite) would give the same guarantee with more moving parts, more writes per event and a
 * larger dependency on the Pi.
 *
 * <h2>Layout</h2>
 * {@code {dir}/{firstSeq:020d}.seg}: records {@code [int length][int crc32c][long seq][long timeMillis]
 * [short topicLength][topic][payload]}, length and CRC over everything after the CRC. A new segment
 * starts when the current one passes {@code segmentBytes} and at every open (so a torn tail is never
 * appended to). {@code {dir}/acked}: the acknowledgement watermark, every seq below it was acknowledged;
 * written (atomic rename) after acknowledgements, not fsync'd: a stale watermark only makes the
 * device send an acknowledged event again, and the server stores each id once. A segment whose
 * records are all below the watermark is deleted.
 *
 * <h2>Bound</h2>
 * The bytes of live segments never exceed {@code maxBytes}: an append that would pass it is refused
 * (counted in {@link #refused()}) and the caller raises a critical alarm; {@link #fillRatio()} lets the
 * caller warn well before. The last {@link Limits#reserveBytes} are kept for alarms.
 *
 * <p>Thread-safe: one lock; the writer (inspection threads) and the sender share it briefly.
 */
public final class Outbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final int HEADER = 4 + 4;
    private static final int FIXED_BODY = 8 + 8 + 2;
    /** Larger records are refused outright (a JPEG crop belongs in a file, not in an event). */
    public static final int MAX_RECORD = 1 << 20;
    private static final String SUFFIX = ".seg";
    private static final String ACKED = "acked";

    /**
     * The outbox's bounds.
     *
     * @param maxBytes     most bytes on disk (live segments)
     * @param segmentBytes a segment is closed once it is this large
     * @param reserveBytes the last bytes below {@code maxBytes}, kept for {@code append(..., true)} (alarms)
     */
    public record Limits(long maxBytes, long segmentBytes, long reserveBytes) {
        public Limits {
            if (maxBytes < 64 * 1024 || segmentBytes < 4096 || segmentBytes > maxBytes || reserveBytes < 0
                    || reserveBytes >= maxBytes / 2) {
                throw new IllegalArgumentException("outbox limits out of range: " + maxBytes + "/" + segmentBytes
                        + "/" + reserveBytes);
            }
        }

        /** 256 MiB in 8 MiB segments (about 600,000 events of 400 bytes: days of a busy line offline). */
        public static Limits defaults() {
            return new Limits(256L << 20, 8L << 20, 256L << 10);
        }
    }

    /** One stored message. */
    public record Entry(long seq, long timeMillis, String topic, byte[] payload) {
    }

    private record Pos(Segment segment, long offset) {
    }

    private static final class Segment {
        final long firstSeq;
        final Path path;
        long lastSeq;   // firstSeq - 1 while empty
        long size;      // bytes durably written
        FileChannel reader;

        Segment(final long firstSeq, final Path path) {
            this.firstSeq = firstSeq;
            this.path = path;
            this.lastSeq = firstSeq - 1;
        }
    }

    private final Path dir;
    private final Limits limits;
    private final List<Segment> segments = new ArrayList<>();
    private FileChannel writer;
    private Segment active;
    private long nextSeq;
    /** Lowest seq not yet acknowledged. */
    private long watermark;
    private long persistedWatermark;
    /** Acknowledged seqs above the watermark (acknowledgements may arrive out of order). */
    private final TreeSet<Long> ackedAbove = new TreeSet<>();
    /** Handed to the sender, not yet acknowledged: seq to position. */
    private final TreeMap<Long, Pos> inflight = new TreeMap<>();
    private Segment cursorSegment;
    private long cursorOffset;
    private long bytes;
    private long refused;
    private long appended;
    private long acknowledged;
    private final long recovered;
    private final long truncatedBytes;
    private boolean closed;

    private Outbox(final Path dir, final Limits limits, final long recovered, final long truncatedBytes) {
        this.dir = dir;
        this.limits = limits;
        this.recovered = recovered;
        this.truncatedBytes = truncatedBytes;
    }

    /** Opens (creating or recovering) the outbox in {@code dir}. */
    public static Outbox open(final Path dir, final Limits limits) throws IOException {
        Files.createDirectories(dir);
        final long watermark = readWatermark(dir);
        final List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        final List<Segment> found = new ArrayList<>();
        long truncated = 0;
        long maxSeq = 0;
        for (final Path p : files) {
            final String name = p.getFileName().toString();
            final long first;
            try {
                first = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
            } catch (final NumberFormatException e) {
                LOG.warn("outbox: ignoring foreign file {}", p);
                continue;
            }
            final Segment seg = new Segment(first, p);
            truncated += scan(seg);
            if (seg.lastSeq < seg.firstSeq || seg.lastSeq < watermark) {
                Files.deleteIfExists(p); // empty, or every record acknowledged
                continue;
            }
            maxSeq = Math.max(maxSeq, seg.lastSeq);
            found.add(seg);
        }
        long recovered = 0;
        for (final Segment s : found) {
            recovered += s.lastSeq - Math.max(s.firstSeq, watermark) + 1;
        }
        final Outbox o = new Outbox(dir, limits, recovered, truncated);
        o.segments.addAll(found);
        o.watermark = Math.max(watermark, found.isEmpty() ? maxSeq + 1 : found.get(0).firstSeq);
        if (found.isEmpty()) {
            o.watermark = Math.max(watermark, 1);
        }
        o.persistedWatermark = watermark;
        o.nextSeq = Math.max(maxSeq + 1, o.watermark);
        for (final Segment s : found) {
            o.bytes += s.size;
        }
        o.roll();
        o.seekCursor(o.watermark);
        if (recovered > 0 || truncated > 0) {
            LOG.info("outbox {}: {} unacknowledged messages to replay (from seq {}), {} torn bytes cut", dir,
                    recovered, o.watermark, truncated);
        }
        return o;
    }

    private static long readWatermark(final Path dir) {
        final Path p = dir.resolve(ACKED);
        try {
            if (Files.exists(p)) {
                return Math.max(1, Long.parseLong(Files.readString(p).trim()));
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("outbox: unreadable watermark {} ({}); replaying everything kept", p, e.toString());
        }
        return 1;
    }

    /** Reads a segment's records, cutting it at the first one that does not check. Returns bytes cut. */
    private static long scan(final Segment seg) throws IOException {
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final long fileSize = ch.size();
            long off = 0;
            final ByteBuffer head = ByteBuffer.allocate(HEADER);
            long expected = seg.firstSeq;
            while (off + HEADER <= fileSize) {
                head.clear();
                readFully(ch, head, off);
                head.flip();
                final int len = head.getInt();
                final int crc = head.getInt();
                if (len < FIXED_BODY || len > MAX_RECORD + 1024 || off + HEADER + len > fileSize) {
                    break;
                }
                final ByteBuffer body = ByteBuffer.allocate(len);
                readFully(ch, body, off + HEADER);
                body.flip();
                if (crc(body) != crc) {
                    break;
                }
                final long seq = body.getLong(0);
                if (seq != expected) {
                    break;
                }
                expected++;
                off += HEADER + len;
            }
            seg.lastSeq = expected - 1;
            seg.size = off;
            if (off < fileSize) {
                LOG.warn("outbox: cutting {} bytes of torn or corrupt data at {} in {}", fileSize - off, off, seg.path);
                ch.truncate(off);
                ch.force(true);
            }
            return fileSize - off;
        }
    }

    private static void readFully(final FileChannel ch, final ByteBuffer b, final long pos) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            final int n = ch.read(b, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }

    private static int crc(final ByteBuffer body) {
        final CRC32C c = new CRC32C();
        c.update(body.duplicate());
        return (int) c.getValue();
    }

    private void roll() throws IOException {
        if (writer != null) {
            writer.close();
        }
        final Path p = dir.resolve(String.format("%020d%s", nextSeq, SUFFIX));
        writer = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        syncDir();
        active = new Segment(nextSeq, p);
        segments.add(active);
    }

    private void syncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (final IOException e) {
            // not every file system can sync a directory; the data itself is synced
        }
    }

    /**
     * Writes one message and forces it to disk.
     *
     * @param useReserve true for alarms about the outbox itself: may use the reserved last bytes
     * @return its seq, or -1 when the outbox is full (counted in {@link #refused()})
     */
    public synchronized long append(final String topic, final byte[] payload, final long timeMillis,
                                    final boolean useReserve) throws IOException {
        if (closed) {
            throw new IOException("outbox closed");
        }
        final byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        final int len = FIXED_BODY + t.length + payload.length;
        if (payload.length > MAX_RECORD || t.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("message of " + payload.length + " bytes is too large for the outbox");
        }
        final long limit = useReserve ? limits.maxBytes() : limits.maxBytes() - limits.reserveBytes();
        if (bytes + HEADER + len > limit) {
            refused++;
            return -1;
        }
        if (active.size >= limits.segmentBytes()) {
            roll();
        }
        final long seq = nextSeq;
        final ByteBuffer rec = ByteBuffer.allocate(HEADER + len);
        rec.position(HEADER);
        rec.putLong(seq).putLong(timeMillis).putShort((short) t.length).put(t).put(payload);
        rec.flip();
        rec.position(HEADER);
        final int crc = crc(rec.slice());
        rec.position(0);
        rec.putInt(len).putInt(crc);
        rec.position(0);
        long p = active.size;
        while (rec.hasRemaining()) {
            p += writer.write(rec, p);
        }
        writer.force(false);
        active.size = p;
        active.lastSeq = seq;
        bytes += HEADER + len;
        nextSeq++;
        appended++;
        notifyAll();
        return seq;
    }

    /**
     * Hands out up to {@code max} messages not yet handed out, in order, and remembers them as in flight
     * until {@link #ack} or {@link #rewind}.
     */
    public synchronized List<Entry> next(final int max) throws IOException {
        return take(max, Long.MAX_VALUE, null);
    }

    /**
     * Hands out the next message not yet handed out and, when {@code joins} accepts its topic, the messages
     * right after it on the same topic: at most {@code max} in all, and only while their payloads add up to
     * no more than {@code maxBytes} (the first is handed out whatever its size). Used to pack one MQTT
     * message from several events; each stays a record of its own, acknowledged one by one.
     */
    public synchronized List<Entry> nextRun(final int max, final long maxBytes, final Predicate<String> joins)
            throws IOException {
        return take(max, maxBytes, joins);
    }

    /** {@code joins} null: any messages, in order (no byte bound). */
    private List<Entry> take(final int max, final long maxBytes, final Predicate<String> joins) throws IOException {
        final List<Entry> out = new ArrayList<>(Math.min(max, 64));
        long payloadBytes = 0;
        while (out.size() < max && cursorSegment != null) {
            if (cursorOffset >= cursorSegment.size) {
                final int i = segments.indexOf(cursorSegment);
                if (cursorSegment == active || i < 0 || i + 1 >= segments.size()) {
                    break;
                }
                cursorSegment = segments.get(i + 1);
                cursorOffset = 0;
                continue;
            }
            final long at = cursorOffset;
            final Entry e = read(cursorSegment, at);
            if (e.seq() < watermark || ackedAbove.contains(e.seq())) {
                cursorOffset = at + recordLength(e);
                continue; // already acknowledged (a late PUBACK for a message sent before a reconnect)
            }
            if (joins != null && !out.isEmpty() && (!joins.test(out.get(0).topic())
                    || !out.get(0).topic().equals(e.topic()) || payloadBytes + e.payload().length > maxBytes)) {
                break; // leave it for the next run: the cursor stays on it
            }
            cursorOffset = at + recordLength(e);
            inflight.put(e.seq(), new Pos(cursorSegment, at));
            out.add(e);
            payloadBytes += e.payload().length;
        }
        return out;
    }

    private static long recordLength(final Entry e) {
        return HEADER + FIXED_BODY + e.topic().getBytes(StandardCharsets.UTF_8).length + e.payload().length;
    }

    private Entry read(final Segment s, final long off) throws IOException {
        if (s.reader == null) {
            s.reader = FileChannel.open(s.path, StandardOpenOption.READ);
        }
        final ByteBuffer head = ByteBuffer.allocate(HEADER);
        readFully(s.reader, head, off);
        head.flip();
        final int len = head.getInt();
        head.getInt();
        final ByteBuffer body = ByteBuffer.allocate(len);
        readFully(s.reader, body, off + HEADER);
        body.flip();
        final long seq = body.getLong();
        final long time = body.getLong();
        final byte[] t = new byte[body.getShort()];
        body.get(t);
        final byte[] payload = new byte[body.remaining()];
        body.get(payload);
        return new Entry(seq, time, new String(t, StandardCharsets.UTF_8), payload);
    }

    /** Blocks until something is waiting to be handed out, or the timeout passes. */
    public synchronized boolean awaitReady(final long timeoutMs) throws InterruptedException {
        if (hasUnsent()) {
            return true;
        }
        wait(timeoutMs);
        return hasUnsent();
    }

    private boolean hasUnsent() {
        return cursorSegment != null && (cursorOffset < cursorSegment.size || cursorSegment != active);
    }

    /** The broker acknowledged {@code seq}: forget it. Idempotent. */
    public synchronized void ack(final long seq) {
        inflight.remove(seq);
        if (seq < watermark || !ackedAbove.add(seq)) {
            return;
        }
        acknowledged++;
        boolean advanced = false;
        while (ackedAbove.remove(watermark)) {
            watermark++;
            advanced = true;
        }
        if (advanced) {
            dropAcknowledgedSegments();
        }
        notifyAll();
    }

    private void dropAcknowledgedSegments() {
        while (!segments.isEmpty()) {
            final Segment s = segments.get(0);
            if (s == active || s.lastSeq >= watermark) {
                break;
            }
            segments.remove(0);
            bytes -= s.size;
            if (cursorSegment == s) {
                cursorSegment = segments.isEmpty() ? active : segments.get(0);
                cursorOffset = 0;
            }
            try {
                if (s.reader != null) {
                    s.reader.close();
                }
                Files.deleteIfExists(s.path);
            } catch (final IOException e) {
                LOG.warn("outbox: cannot delete {}: {}", s.path, e.toString());
            }
            persistWatermark();
        }
        if (active.lastSeq < watermark && active.size >= limits.segmentBytes()) {
            try {
                roll();
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            dropAcknowledgedSegments();
        }
    }

    /** Writes the watermark if it moved; cheap to call often (the sender calls it when idle). */
    public synchronized void persistWatermark() {
        if (watermark == persistedWatermark) {
            return;
        }
        final Path tmp = dir.resolve(ACKED + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(watermark));
            Files.move(tmp, dir.resolve(ACKED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            persistedWatermark = watermark;
        } catch (final IOException e) {
            LOG.warn("outbox: cannot write the watermark: {}", e.toString());
        }
    }

    /** Everything in flight goes back to be sent again (after a reconnect or a failed publish). */
    public synchronized void rewind() {
        if (!inflight.isEmpty()) {
            final Pos p = inflight.firstEntry().getValue();
            cursorSegment = p.segment();
            cursorOffset = p.offset();
            inflight.clear();
        }
        notifyAll();
    }

    /** {@code seq} and everything handed out after it go back to be sent again. */
    public synchronized void unsend(final long seq) {
        final Pos p = inflight.get(seq);
        if (p == null) {
            return;
        }
        inflight.tailMap(seq, true).clear();
        cursorSegment = p.segment();
        cursorOffset = p.offset();
        notifyAll();
    }

    private void seekCursor(final long seq) throws IOException {
        for (final Segment s : segments) {
            if (s.lastSeq >= seq) {
                long off = 0;
                while (off < s.size) {
                    final Entry e = read(s, off);
                    if (e.seq() >= seq) {
                        break;
                    }
                    off += HEADER + FIXED_BODY + e.topic().getBytes(StandardCharsets.UTF_8).length
                            + e.payload().length;
                }
                cursorSegment = s;
                cursorOffset = off;
                return;
            }
        }
        cursorSegment = active;
        cursorOffset = active.size;
    }

    /** Messages written and not yet acknowledged. */
    public synchronized long pending() {
        return nextSeq - watermark - ackedAbove.size();
    }

    public synchronized int inflight() {
        return inflight.size();
    }

    /** Bytes on disk. */
    public synchronized long bytes() {
        return bytes;
    }

    /** {@link #bytes()} over the bound. */
    public synchronized double fillRatio() {
        return (double) bytes / limits.maxBytes();
    }

    /** Appends refused because the outbox was full, since open. */
    public synchronized long refused() {
        return refused;
    }

    public synchronized long appended() {
        return appended;
    }

    public synchronized long acknowledged() {
        return acknowledged;
    }

    /** Unacknowledged messages found on disk at open. */
    public long recovered() {
        return recovered;
    }

    public long truncatedBytes() {
        return truncatedBytes;
    }

    public Limits limits() {
        return limits;
    }

    public Path dir() {
        return dir;
    }

    /** Counters for stats and tests. */
    public synchronized Map<String, Long> counters() {
        return Map.of("pending", pending(), "bytes", bytes, "appended", appended, "acknowledged", acknowledged,
                "refused", refused, "recovered", recovered);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        persistWatermark();
        try {
            writer.close();
            if (active.size == 0 && segments.size() == 1) {
                Files.deleteIfExists(active.path);
            }
        } catch (final IOException e) {
            LOG.warn("outbox: closing: {}", e.toString());
        }
        for (final Segment s : segments) {
            try {
                if (s.reader != null) {
                    s.reader.close();
                }
            } catch (final IOException e) {
                // closing
            }
        }
        notifyAll();
    }
}

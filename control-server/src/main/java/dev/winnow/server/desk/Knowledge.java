package dev.winnow.server.desk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** Uploads: text out, passages cut, embedded, stored, and the search index rebuilt. */
public final class Knowledge {

    /** Largest upload, bytes (10 MiB) unless configured otherwise. */
    public static final int DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
    public static final List<String> KINDS = List.of("spec", "policy", "faq", "other");

    private final DeskStore store;
    private final SearchIndex index;
    private final Clock clock;
    private final int maxBytes;

    public Knowledge(final DeskStore store, final SearchIndex index, final Clock clock, final int maxBytes) {
        this.store = store;
        this.index = index;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    public SearchIndex index() {
        return index;
    }

    /** Loads the stored passages into the index (at start). */
    public void reload() {
        index.rebuild(store.passages());
    }

    /**
     * Stores a document (replacing one of the same name and all its passages) and re-indexes.
     *
     * @param kind spec, policy, faq or other; null to guess from the name and title
     */
    public DeskStore.Doc upload(final String name, final String contentType, final byte[] bytes, final String kind,
                                final String title) {
        if (name == null || name.isBlank() || name.length() > 200 || name.contains("/") || name.contains("\\")) {
            throw new DeskException(400, "a document needs a file name of 1..200 characters without slashes");
        }
        if (bytes.length > maxBytes) {
            throw new DeskException(413, "'" + name + "' is " + mib(bytes.length) + "; the desk takes documents up to "
                    + mib(maxBytes) + " (split it, or raise desk max upload)");
        }
        if (bytes.length == 0) {
            throw new DeskException(400, "'" + name + "' is empty");
        }
        final DocText.Extracted x = DocText.extract(name, contentType, bytes);
        final String t = title == null || title.isBlank() ? x.title() : title.strip();
        final String k = kind == null || kind.isBlank() ? guessKind(name + " " + t) : kind.toLowerCase(Locale.ROOT);
        if (!KINDS.contains(k)) {
            throw new DeskException(400, "kind must be one of " + KINDS);
        }
        final String id = slug(name);
        final List<SearchIndex.Passage> passages = new ArrayList<>();
        final List<Chunker.Piece> pieces = Chunker.chunk(t, x.text());
        for (int i = 0; i < pieces.size(); i++) {
            final Chunker.Piece p = pieces.get(i);
            final float[] v = index.embedder().embed(p.section() + ": " + p.text());
            passages.add(new SearchIndex.Passage(id + "#" + (i + 1), id, name, t, k, i + 1, p.section(), p.text(), v));
        }
        final DeskStore.Doc d = new DeskStore.Doc(id, name, t, k, x.format().name().toLowerCase(Locale.ROOT),
                bytes.length, sha256(bytes), clock.instant(), passages.size());
        store.putDocument(d, x.text(), passages);
        reload();
        return d;
    }

    public boolean delete(final String id) {
        final boolean gone = store.deleteDocument(id);
        reload();
        return gone;
    }

    static String guessKind(final String s) {
        final String l = s.toLowerCase(Locale.ROOT);
        if (l.contains("faq") || l.contains("question")) {
            return "faq";
        }
        if (l.contains("spec") || l.contains("datasheet") || l.contains("data sheet")) {
            return "spec";
        }
        if (l.contains("policy") || l.contains("terms") || l.contains("return") || l.contains("warranty")) {
            return "policy";
        }
        return "other";
    }

    static String slug(final String name) {
        final String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        final String base = s.isEmpty() ? "doc" : s;
        return base.length() <= 48 ? base : base.substring(0, 40) + "-" + sha256(name.getBytes(StandardCharsets.UTF_8))
                .substring(0, 7);
    }

    static String sha256(final byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String mib(final long n) {
        return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    }
}

package dev.winnow.server.desk;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a document's light-Markdown text into passages: a new passage at every heading, paragraphs
 * gathered up to {@link #TARGET} characters, long paragraphs cut at sentence ends. Each passage
 * keeps its heading path (e.g. "Returns policy › 3. Time limits") so an answer can cite it.
 */
public final class Chunker {

    /** Aimed length of a passage, characters. */
    public static final int TARGET = 700;
    /** Longest passage, characters. */
    public static final int MAX = 1100;

    public record Piece(String section, String text) {
    }

    private Chunker() {
    }

    public static List<Piece> chunk(final String title, final String text) {
        final List<Piece> out = new ArrayList<>();
        final String[] path = new String[7];
        String section = title;
        final StringBuilder cur = new StringBuilder();
        for (final String block : text.split("\n\\s*\n")) {
            final String b = block.strip();
            if (b.isEmpty()) {
                continue;
            }
            // a heading may be the first line of a block
            final String first = b.lines().findFirst().orElse("");
            if (first.matches("#{1,6}\\s+.*")) {
                flush(out, section, cur);
                final int level = first.indexOf(' ');
                path[level] = first.substring(level).strip();
                for (int i = level + 1; i < path.length; i++) {
                    path[i] = null;
                }
                section = sectionOf(title, path);
                final String rest = b.substring(first.length()).strip();
                if (!rest.isEmpty()) {
                    add(out, section, cur, rest);
                }
                continue;
            }
            add(out, section, cur, b);
        }
        flush(out, section, cur);
        return out;
    }

    private static String sectionOf(final String title, final String[] path) {
        final StringBuilder s = new StringBuilder();
        for (int i = 1; i < path.length; i++) {
            if (path[i] != null && !(i == 1 && path[i].equals(title))) {
                s.append(s.length() == 0 ? "" : " › ").append(path[i]);
            }
        }
        return s.length() == 0 ? title : s.toString();
    }

    private static void add(final List<Piece> out, final String section, final StringBuilder cur, final String block) {
        final String b = block.replaceAll("[ \t]*\n[ \t]*", block.startsWith("-") || block.contains("|") ? "\n" : " ");
        if (cur.length() > 0 && cur.length() + b.length() + 2 > TARGET) {
            flush(out, section, cur);
        }
        if (b.length() <= MAX) {
            cur.append(cur.length() == 0 ? "" : "\n\n").append(b);
            return;
        }
        for (final String sentence : b.split("(?<=[.!?。！？])\\s+")) {
            if (cur.length() > 0 && cur.length() + sentence.length() + 1 > TARGET) {
                flush(out, section, cur);
            }
            if (sentence.length() > MAX) {
                for (int i = 0; i < sentence.length(); i += MAX) {
                    out.add(new Piece(section, sentence.substring(i, Math.min(sentence.length(), i + MAX))));
                }
                continue;
            }
            cur.append(cur.length() == 0 ? "" : " ").append(sentence);
        }
    }

    private static void flush(final List<Piece> out, final String section, final StringBuilder cur) {
        if (cur.length() > 0) {
            out.add(new Piece(section, cur.toString()));
            cur.setLength(0);
        }
    }
}

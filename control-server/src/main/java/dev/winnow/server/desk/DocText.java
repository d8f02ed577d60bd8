package dev.winnow.server.desk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The text of an uploaded document, as light Markdown (headings as {@code #} lines, paragraphs
 * separated by blank lines) whatever it came as: Markdown, plain text, HTML or PDF.
 */
public final class DocText {

    /** The format of an upload. */
    public enum Format { MARKDOWN, TEXT, HTML, PDF }

    /** @param title the first heading, or the file name */
    public record Extracted(Format format, String title, String text) {
    }

    private DocText() {
    }

    /** The format from the content type, else from the name's extension; null when neither says. */
    public static Format format(final String name, final String contentType) {
        final String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        final String n = name.toLowerCase(Locale.ROOT);
        if (ct.contains("pdf") || n.endsWith(".pdf")) {
            return Format.PDF;
        }
        if (ct.contains("html") || n.endsWith(".html") || n.endsWith(".htm")) {
            return Format.HTML;
        }
        if (ct.contains("markdown") || n.endsWith(".md") || n.endsWith(".markdown")) {
            return Format.MARKDOWN;
        }
        if (ct.startsWith("text/") || n.endsWith(".txt") || n.endsWith(".text")) {
            return Format.TEXT;
        }
        return null;
    }

    public static Extracted extract(final String name, final String contentType, final byte[] bytes) {
        final Format f = format(name, contentType);
        if (f == null) {
            throw new DeskException(415, "'" + name + "' is not a document the desk reads: upload Markdown (.md), "
                    + "text (.txt), HTML (.html) or PDF (.pdf)");
        }
        final String text = switch (f) {
            case MARKDOWN, TEXT -> normalise(utf8(name, bytes));
            case HTML -> html(utf8(name, bytes));
            case PDF -> pdf(name, bytes);
        };
        if (text.isBlank()) {
            throw new DeskException(422, "'" + name + "' holds no text (a scanned PDF needs OCR first)");
        }
        return new Extracted(f, title(text, name), text);
    }

    private static String utf8(final String name, final byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            if (s.startsWith("\uFEFF")) {
                s = s.substring(1);
            }
            return s;
        } catch (CharacterCodingException e) {
            throw new DeskException(422, "'" + name + "' is not UTF-8 text");
        }
    }

    static String normalise(final String s) {
        return s.replace("\r\n", "\n").replace('\r', '\n').replace('\u00A0', ' ').strip();
    }

    static String html(final String html) {
        final Document d = Jsoup.parse(html);
        d.select("script, style, nav, footer, noscript").remove();
        final StringBuilder b = new StringBuilder();
        final String title = d.title();
        if (!title.isBlank() && d.selectFirst("h1") == null) {
            b.append("# ").append(title.strip()).append("\n\n");
        }
        final Element body = d.body();
        for (final Element e : body.select("h1, h2, h3, h4, h5, h6, p, li, dt, dd, pre, blockquote, tr")) {
            if (!e.tagName().matches("h\\d|tr")
                    && e.select("p, li, dt, dd, pre, tr").stream().anyMatch(x -> x != e)) {
                continue; // a container of blocks: its blocks are taken one by one
            }
            final String t = e.tagName().equals("tr")
                    ? String.join(" | ", e.select("th, td").eachText()) : e.text().strip();
            if (t.isEmpty()) {
                continue;
            }
            if (e.tagName().matches("h\\d")) {
                b.append("#".repeat(e.tagName().charAt(1) - '0')).append(' ').append(t).append("\n\n");
            } else if (e.tagName().equals("li")) {
                b.append("- ").append(t).append("\n\n");
            } else {
                b.append(t).append("\n\n");
            }
        }
        if (b.length() == 0) {
            b.append(body.text());
        }
        return normalise(b.toString());
    }

    static String pdf(final String name, final byte[] bytes) {
        try (PDDocument doc = Loader.loadPDF(bytes)) {
            final PDFTextStripper s = new PDFTextStripper();
            s.setSortByPosition(true);
            s.setParagraphStart("\n");
            s.setParagraphEnd("\n");
            return normalise(s.getText(doc)).replaceAll("\n{3,}", "\n\n");
        } catch (IOException e) {
            throw new DeskException(422, "'" + name + "' is not a readable PDF: " + e.getMessage());
        }
    }

    static String title(final String text, final String name) {
        for (final String line : text.split("\n")) {
            final String l = line.strip();
            if (l.startsWith("#")) {
                return l.replaceFirst("^#+\\s*", "");
            }
            if (!l.isEmpty()) {
                return l.length() <= 80 ? l : name;
            }
        }
        return name;
    }
}

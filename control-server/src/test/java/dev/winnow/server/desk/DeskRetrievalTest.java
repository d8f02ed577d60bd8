package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Document text, chunking and hybrid retrieval on the shipped sample documents. */
class DeskRetrievalTest {

    @TempDir
    static Path dir;
    static Database db;
    static Desk desk;

    @BeforeAll
    static void load() {
        db = Database.open(Database.embeddedUrl(dir), null, null);
        desk = new Desk(db, Clock.fixed(Instant.parse("2026-04-20T08:00:00Z"), ZoneOffset.UTC), LlmProvider.none(),
                lot -> Optional.empty(), Embedder.miniLm(), 64 * 1024);
        desk.loadSamples();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    private static SearchIndex.Hit top(final String q) {
        final List<SearchIndex.Hit> hits = desk.knowledge().index().search(q, 5, null);
        for (final SearchIndex.Hit h : hits) {
            System.out.printf("%-60s %-40s rrf=%.4f bm25=%.2f#%d cos=%.3f(#%d) %s%n", q, h.passage().id(), h.score(), h.bm25(),
                    h.bm25Rank(), h.cosine(), h.vecRank(), h.relevant() ? "relevant" : "");
        }
        return hits.get(0);
    }

    @Test
    void everyFormatIsReadAndCutAtHeadings() {
        assertThat(desk.store().documents()).extracting(DeskStore.Doc::contentType)
                .containsExactlyInAnyOrder("markdown", "html", "markdown", "pdf");
        final String html = desk.store().documentBody("returns-policy.html");
        assertThat(html).contains("## 1. Time limits").contains("within 30 days of delivery")
                .contains("- The order number");
        assertThat(desk.store().documentBody("shipping-and-claims.pdf")).contains("within 7 days of delivery");
        assertThat(desk.store().passages()).anyMatch(p -> p.section().equals("WC-28 Clean Cotton Lint, 28 mm"));
    }

    @Test
    void keywordAndMeaningFindTheRightPassage() {
        assertThat(top("How many days do I have to return unopened bales?").passage().docId()).isEqualTo("returns-policy.html");
        assertThat(top("restocking fee").passage().text()).contains("restocking fee of 5 %");
        // no shared keyword with "payment terms" section; meaning carries it
        assertThat(top("When do I have to pay the invoice?").passage().text()).contains("30 days after the invoice date");
        assertThat(top("bale weight").passage().text()).contains("227 kg");
        assertThat(top("未开封的棉包退货期限是多少天？").passage().docId()).isEqualTo("returns-policy.html");
        final SearchIndex.Hit off = top("Do you sell organic cotton from Egypt?");
        assertThat(off.relevant()).isFalse();
    }

    @Test
    void reUploadReplacesTheDocumentsPassagesAndTooLargeIsRefused() {
        final int before = desk.knowledge().index().size();
        desk.knowledge().upload("notes.txt", "text/plain", "Old note about the harbour strike.".getBytes(
                StandardCharsets.UTF_8), "other", null);
        assertThat(desk.knowledge().index().size()).isEqualTo(before + 1);
        desk.knowledge().upload("notes.txt", "text/plain", "# Notes\n\nThe warehouse closes at 17:00.\n\n## More\n\nGate B."
                .getBytes(StandardCharsets.UTF_8), "other", null);
        assertThat(desk.knowledge().index().size()).isEqualTo(before + 2);
        assertThat(desk.store().passages()).noneMatch(p -> p.text().contains("harbour"));
        assertThat(top("When does the warehouse close?").passage().docId()).isEqualTo("notes.txt");
        desk.knowledge().delete("notes.txt");
        assertThat(desk.knowledge().index().size()).isEqualTo(before);
        final byte[] big = new byte[64 * 1024 + 1];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> desk.knowledge().upload("big.txt", null, big, null, null))
                .isInstanceOf(DeskException.class).hasMessageContaining("up to 0.1 MiB")
                .extracting(e -> ((DeskException) e).status()).isEqualTo(413);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> desk.knowledge().upload("a.docx", null, new byte[3], null,
                null)).hasMessageContaining("Markdown");
    }
}

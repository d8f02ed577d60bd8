package dev.winnow.server.desk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.index.Term;

/**
 * Hybrid retrieval over the documents' passages: Lucene BM25 (English stemming, and Chinese word
 * segmentation for Chinese text) and cosine similarity of MiniLM embeddings, fused by reciprocal
 * rank ({@code 1/(60+rank)} summed over both lists). The index lives in memory and is rebuilt from
 * the store when documents change (a desk has hundreds of passages, not millions).
 */
public final class SearchIndex {

    /** RRF's constant. */
    public static final int RRF_K = 60;
    private static final int DEPTH = 30;

    /** One passage as indexed. */
    public record Passage(String id, String docId, String docName, String docTitle, String kind, int ord,
                          String section, String text, float[] embedding) {
    }

    /**
     * @param bm25Rank 1-based, 0 when keyword search did not find it
     * @param vecRank  1-based, 0 when not among the nearest
     */
    public record Hit(Passage passage, double score, double bm25, int bm25Rank, double cosine, int vecRank) {
        /**
         * Whether the passage is likely to answer the question, not merely the least bad: close in
         * meaning (cosine ≥ 0.5), or sharing rare words (BM25 ≥ 3.5) and somewhat close (≥ 0.3).
         * Calibrated on the shipped golden set (see DeskRetrievalTest).
         */
        public boolean relevant() {
            return cosine >= 0.5 || (bm25 >= 3.5 && cosine >= 0.3);
        }
    }

    private final Embedder embedder;
    private final Analyzer analyzer;
    private volatile State state = new State(List.of(), null);

    private record State(List<Passage> passages, DirectoryReader reader) {
    }

    public SearchIndex(final Embedder embedder) {
        this.embedder = embedder;
        final Map<String, Analyzer> per = new HashMap<>();
        per.put("zh", new SmartChineseAnalyzer());
        per.put("id", new org.apache.lucene.analysis.core.KeywordAnalyzer());
        this.analyzer = new PerFieldAnalyzerWrapper(new EnglishAnalyzer(), per);
    }

    public Embedder embedder() {
        return embedder;
    }

    /** The indexed passage with this id ({@code document#ord}), if any. */
    public java.util.Optional<Passage> passage(final String id) {
        return state.passages().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** Replaces the whole index with these passages. */
    public synchronized void rebuild(final List<Passage> passages) {
        final ByteBuffersDirectory dir = new ByteBuffersDirectory();
        try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity()))) {
            for (int i = 0; i < passages.size(); i++) {
                final Passage p = passages.get(i);
                final Document d = new Document();
                d.add(new StringField("n", Integer.toString(i), Field.Store.YES));
                d.add(new StringField("kind", p.kind(), Field.Store.NO));
                d.add(new TextField("en", p.text(), Field.Store.NO));
                d.add(new TextField("zh", p.text(), Field.Store.NO));
                d.add(new TextField("section", p.docTitle() + " " + p.section(), Field.Store.NO));
                w.addDocument(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            final State old = state;
            state = new State(List.copyOf(passages), passages.isEmpty() ? null : DirectoryReader.open(dir));
            if (old.reader() != null) {
                old.reader().close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int size() {
        return state.passages().size();
    }

    /** The best {@code k} passages for the query, optionally only of one kind of document. */
    public List<Hit> search(final String query, final int k, final String kind) {
        final State s = state;
        if (s.reader() == null || query == null || query.isBlank()) {
            return List.of();
        }
        final String q = Glossary.expand(query);
        final Map<Integer, double[]> bm = new LinkedHashMap<>(); // n -> {score, rank}
        try {
            final IndexSearcher searcher = new IndexSearcher(s.reader());
            searcher.setSimilarity(new BM25Similarity());
            final BooleanQuery.Builder b = new BooleanQuery.Builder();
            final String escaped = QueryParser.escape(q);
            b.add(parse("en", escaped), BooleanClause.Occur.SHOULD);
            b.add(parse("zh", escaped), BooleanClause.Occur.SHOULD);
            b.add(new BoostQuery(parse("section", escaped), 0.5f), BooleanClause.Occur.SHOULD);
            Query query2 = b.build();
            if (kind != null) {
                query2 = new BooleanQuery.Builder().add(query2, BooleanClause.Occur.MUST)
                        .add(new TermQuery(new Term("kind", kind)), BooleanClause.Occur.FILTER).build();
            }
            int rank = 0;
            for (final ScoreDoc sd : searcher.search(query2, DEPTH).scoreDocs) {
                final int n = Integer.parseInt(searcher.storedFields().document(sd.doc).get("n"));
                bm.put(n, new double[] {sd.score, ++rank});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final float[] qv = embedder.embed(q);
        final List<double[]> vec = new ArrayList<>(); // {n, cosine}
        for (int i = 0; i < s.passages().size(); i++) {
            final Passage p = s.passages().get(i);
            if (p.embedding() != null && (kind == null || kind.equals(p.kind()))) {
                vec.add(new double[] {i, Embedder.dot(qv, p.embedding())});
            }
        }
        vec.sort(Comparator.comparingDouble((double[] a) -> a[1]).reversed());
        final Map<Integer, double[]> cos = new HashMap<>(); // n -> {cos, rank}
        for (int r = 0; r < vec.size(); r++) {
            cos.put((int) vec.get(r)[0], new double[] {vec.get(r)[1], r + 1});
        }
        final List<Hit> hits = new ArrayList<>();
        final Set<Integer> candidates = new java.util.HashSet<>(bm.keySet());
        for (int r = 0; r < Math.min(DEPTH, vec.size()); r++) {
            candidates.add((int) vec.get(r)[0]);
        }
        for (final int n : candidates) {
            final double[] b = bm.get(n);
            final double[] c = cos.get(n);
            double score = 0;
            if (b != null) {
                score += 1.0 / (RRF_K + b[1]);
            }
            if (c != null && c[1] <= DEPTH) {
                score += 1.0 / (RRF_K + c[1]);
            }
            hits.add(new Hit(s.passages().get(n), score, b == null ? 0 : b[0], b == null ? 0 : (int) b[1],
                    c == null ? 0 : c[0], c == null ? 0 : (int) c[1]));
        }
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(h -> h.passage().id()));
        return hits.size() <= k ? hits : hits.subList(0, k);
    }

    private Query parse(final String field, final String escaped) {
        try {
            final QueryParser p = new QueryParser(field, analyzer);
            p.setDefaultOperator(QueryParser.Operator.OR);
            return p.parse(escaped.isBlank() ? "\"\"" : escaped);
        } catch (ParseException e) {
            return new BooleanQuery.Builder().build();
        }
    }

    /** Lower-cased words of a text, for tests and diagnostics. */
    static String lower(final String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

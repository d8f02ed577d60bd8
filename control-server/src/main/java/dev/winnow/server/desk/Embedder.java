package dev.winnow.server.desk;

import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.Base64;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Sentence embeddings for semantic search: unit vectors, so the dot product is the cosine. */
public interface Embedder {

    float[] embed(String text);

    String describe();

    /**
     * all-MiniLM-L6-v2 (quantized, 384 dimensions), shipped inside LangChain4j's Maven artifact and
     * run in process by ONNX Runtime; loaded on first use (about a second), then thread-safe.
     */
    static Embedder miniLm() {
        return MiniLm.INSTANCE;
    }

    /**
     * ONNX Runtime's initialisation needs more stack than a default Java thread has (it crashes the
     * JVM on a 1 MiB stack), so the model is loaded and run on one daemon thread with a 16 MiB stack.
     */
    enum MiniLm implements Embedder {
        INSTANCE;

        private final java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> {
                    final Thread t = new Thread(null, r, "desk-embeddings", 16L << 20);
                    t.setDaemon(true);
                    return t;
                });
        private EmbeddingModel model;

        @Override
        public float[] embed(final String text) {
            final String t = text.length() > 2000 ? text.substring(0, 2000) : text;
            try {
                return worker.submit(() -> {
                    if (model == null) {
                        model = new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();
                    }
                    return unit(model.embed(t).content().vector());
                }).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while embedding", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("the embedding model failed: " + e.getCause(), e.getCause());
            }
        }

        @Override
        public String describe() {
            return "all-MiniLM-L6-v2 (quantized ONNX, 384 dimensions, in process)";
        }
    }

    static float[] unit(final float[] v) {
        double n = 0;
        for (final float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        if (n > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] / n);
            }
        }
        return v;
    }

    static double dot(final float[] a, final float[] b) {
        double s = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static String encode(final float[] v) {
        final ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (final float x : v) {
            b.putFloat(x);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    static float[] decode(final String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        final ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s)).order(ByteOrder.LITTLE_ENDIAN);
        final float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }
}

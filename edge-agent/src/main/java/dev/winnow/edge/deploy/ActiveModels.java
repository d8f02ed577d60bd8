package dev.winnow.edge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.OnnxFrameDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The models promoted onto this agent's cameras, kept in {@code {store}/active.json}, so that a restart runs what
 * the last promotion or rollback left instead of the configured model. A canary is never kept: after a restart its
 * camera runs its live model again (and says so in its status).
 *
 * <p>Per camera: {@code live}, the promoted model's folder under the store ({@code name/version}), and
 * {@code previous}, the one a rollback returns to (null: the configured model). Written atomically.
 */
public final class ActiveModels {

    public static final String FILE = "active.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code name/version} as the deployer stores them: no other path can be named. */
    private static final Pattern FOLDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    private record Entry(String live, String previous) {
    }

    private final Path store;
    private final Map<String, Entry> cameras = new TreeMap<>();

    private ActiveModels(final Path store) {
        this.store = store;
    }

    /**
     * Reads {@code {store}/active.json} (none yet: nothing promoted).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static ActiveModels open(final Path store) throws IOException {
        final ActiveModels a = new ActiveModels(store);
        final Path file = store.resolve(FILE);
        if (!Files.exists(file)) {
            return a;
        }
        final JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new IOException(file + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + " must be an object of cameras");
        }
        for (final Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String live = folder(file, e.getKey() + ".live", e.getValue().get("live"), false);
            final String previous = folder(file, e.getKey() + ".previous", e.getValue().get("previous"), true);
            a.cameras.put(e.getKey(), new Entry(live, previous));
        }
        return a;
    }

    private static String folder(final Path file, final String key, final JsonNode v, final boolean nullable)
            throws IOException {
        if (v == null || v.isNull()) {
            if (nullable) {
                return null;
            }
            throw new IOException(file + ": " + key + " is missing");
        }
        if (!v.isTextual() || !FOLDER.matcher(v.asText()).matches()) {
            throw new IOException(file + ": " + key + " must be a model folder name/version, got " + v);
        }
        return v.asText();
    }

    /** The folder of the model promoted onto {@code camera}, when there is one and it is still in the store. */
    public synchronized Optional<Path> live(final String camera) {
        final Entry e = cameras.get(camera);
        return e == null ? Optional.empty() : Optional.of(store.resolve(e.live())).filter(Files::isDirectory);
    }

    /** {@code name@version} of the model promoted onto {@code camera}, when one is recorded. */
    public synchronized Optional<String> promotedVersion(final String camera) {
        final Entry e = cameras.get(camera);
        return e == null ? Optional.empty() : Optional.of(e.live().replaceFirst("/", "@"));
    }

    /**
     * The folder a rollback of {@code camera}'s promoted model returns to: the model promoted before it, or empty for
     * the configured model.
     */
    public synchronized Optional<Path> previous(final String camera) {
        final Entry e = cameras.get(camera);
        return e == null || e.previous() == null ? Optional.empty() : Optional.of(store.resolve(e.previous()));
    }

    /** Opens a camera's configured detector. */
    public interface Configured {
        FrameDetector open() throws IOException;
    }

    /**
     * The camera's promoted model when one is kept and loads, else its configured detector; says on stderr which
     * it runs and why.
     *
     * @param configured what the configuration names, for the message
     */
    public FrameDetector detectorFor(final String camera, final int threads, final String configured,
                                     final Configured fallback) throws IOException {
        final Optional<Path> kept = live(camera);
        if (kept.isPresent()) {
            try {
                final FrameDetector d = OnnxFrameDetector.open(kept.get(), threads);
                System.err.println("winnow-agent: " + camera + ": runs " + d.version() + ", promoted by a rollout ("
                        + kept.get() + "), not the configured " + configured);
                return d;
            } catch (final IOException | RuntimeException e) {
                System.err.println("winnow-agent: " + camera + ": the promoted model in " + kept.get()
                        + " does not load (" + e.getMessage() + "); running the configured " + configured);
            }
        }
        return fallback.open();
    }

    /** {@code camera} now runs {@code name/version} live; what it ran live before becomes the rollback target. */
    synchronized void promoted(final String camera, final String name, final String version) throws IOException {
        final String now = name + "/" + version;
        final Entry e = cameras.get(camera);
        if (e != null && e.live().equals(now)) {
            return;
        }
        cameras.put(camera, new Entry(now, e == null ? null : e.live()));
        write();
    }

    /**
     * {@code camera} left {@code abandoned} ({@code name@version}) for the model it ran before: a rollback, or a
     * fallback from a failing model. Nothing changes when {@code abandoned} was not its promoted model (a canary).
     */
    synchronized void rolledBack(final String camera, final String abandoned) throws IOException {
        final Entry e = cameras.get(camera);
        if (e == null || abandoned == null || !e.live().equals(abandoned.replaceFirst("@", "/"))) {
            return;
        }
        if (e.previous() == null) {
            cameras.remove(camera);
        } else {
            cameras.put(camera, new Entry(e.previous(), null));
        }
        write();
    }

    private void write() throws IOException {
        final ObjectNode root = JSON.createObjectNode();
        cameras.forEach((camera, e) -> root.putObject(camera).put("live", e.live()).put("previous", e.previous()));
        Files.createDirectories(store);
        final Path tmp = store.resolve(FILE + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
        Files.move(tmp, store.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

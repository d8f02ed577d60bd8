package dev.winnow.edge.detect;

import dev.winnow.edge.host.HostInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses a camera's detector: its trained model when present, else the classical baseline. */
public final class Detectors {

    private static final Logger LOG = LoggerFactory.getLogger(Detectors.class);

    /** Where the shipped models live, relative to the working directory or the agent's install folder. */
    public static final String SHIPPED_COLOUR = "cotton-colour";
    /** The same colour network in floating point, for an x86 processor without 8-bit dot products. */
    public static final String SHIPPED_COLOUR_FLOAT = "cotton-colour-float";
    public static final String SHIPPED_UV = "cotton-uv";

    private Detectors() {
    }

    /** True when {@code dir} holds a model package (model.onnx and model.json). */
    public static boolean isModelDir(final Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve("model.onnx")) && Files.isRegularFile(dir.resolve("model.json"));
    }

    /**
     * The shipped model folder for a camera kind, searched in the {@code WINNOW_MODELS} directory, {@code ./models/NAME},
     * {@code ../models/NAME}, {@code /opt/winnow/models/NAME} and beside the agent's jar (so that a checkout's
     * {@code edge-agent/target/winnow-agent.jar} finds the checkout's models from any working folder); null when
     * absent.
     */
    public static Path shippedModel(final boolean uv) {
        if (uv) {
            return shipped(SHIPPED_UV);
        }
        final Path preferred = shipped(shippedColourName(Host.INFO));
        return preferred != null ? preferred : shipped(SHIPPED_COLOUR);
    }

    /**
     * The shipped colour model for a processor: the 8-bit {@value #SHIPPED_COLOUR}, which takes half the time a frame
     * where the processor has 8-bit dot products (and on ARM), or the floating-point {@value #SHIPPED_COLOUR_FLOAT}
     * on an x86 processor without them (see {@link HostInfo#x86WithoutEightBitDotProduct()}).
     */
    static String shippedColourName(final HostInfo host) {
        return host.x86WithoutEightBitDotProduct() ? SHIPPED_COLOUR_FLOAT : SHIPPED_COLOUR;
    }

    /** This machine's processor, read once. */
    private static final class Host {
        static final HostInfo INFO = HostInfo.current();
    }

    private static Path shipped(final String name) {
        final String env = System.getenv("WINNOW_MODELS");
        if (env != null && isModelDir(Path.of(env, name))) {
            return Path.of(env, name);
        }
        for (final Path base : modelFolders(codeLocation())) {
            if (isModelDir(base.resolve(name))) {
                return base.resolve(name);
            }
        }
        return null;
    }

    /** Where shipped models may be, in order, given where the agent's code was loaded from (null when unknown). */
    static List<Path> modelFolders(final Path code) {
        final List<Path> out = new ArrayList<>(List.of(Path.of("models"), Path.of("..", "models"),
                Path.of("/opt/winnow/models")));
        // the jar (or classes folder) and up to three folders above it: edge-agent/target/x.jar -> the checkout
        for (Path dir = code == null ? null : code.toAbsolutePath().getParent(); dir != null && out.size() < 7;
             dir = dir.getParent()) {
            out.add(dir.resolve("models"));
        }
        return out;
    }

    private static Path codeLocation() {
        try {
            return Path.of(Detectors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (final Exception | LinkageError e) {
            return null;
        }
    }

    /**
     * A detector for one camera.
     *
     * @param modelDir the camera's model folder, or null for the shipped default for its kind
     * @param classical when true, never load a model
     * @param required  when true, a missing model is an error rather than a fallback
     */
    public static FrameDetector forCamera(final String cameraId, final boolean uv, final Path modelDir,
                                          final boolean classical, final boolean required, final int threads)
            throws IOException {
        if (!classical) {
            final Path dir = modelDir != null ? modelDir : shippedModel(uv);
            if (dir != null && isModelDir(dir)) {
                final OnnxFrameDetector d = OnnxFrameDetector.open(dir, threads);
                LOG.info("camera {}: model {} from {} ({} thread(s))", cameraId, d.version(), dir, threads);
                if (modelDir == null && !uv && dir.endsWith(SHIPPED_COLOUR_FLOAT)) {
                    LOG.info("camera {}: the floating-point colour model, as this processor ({}) has no 8-bit dot "
                            + "products (avx512_vnni, avx_vnni), on which the 8-bit {} would be no faster",
                            cameraId, Host.INFO, SHIPPED_COLOUR);
                }
                return d;
            }
            if (required) {
                throw new IOException("camera " + cameraId + ": no model package (model.onnx + model.json) in "
                        + (dir == null ? "the default locations" : dir));
            }
            LOG.warn("camera {}: no model found ({}); using the classical {} detector", cameraId,
                    modelDir != null ? modelDir : "models/" + (uv ? SHIPPED_UV : SHIPPED_COLOUR),
                    uv ? "UV" : "colour");
        }
        return new ColourBlobDetector(uv ? ColourBlobDetector.Mode.UV : ColourBlobDetector.Mode.COLOUR, 12);
    }
}

package dev.winnow.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The commands a server sends a device ({@code winnow/v1/{site}/{line}/{device}/cmd/{name}}) and their
 * argument names: the one place both the control server and the agent take them from. A device refuses
 * an unknown command or an argument not listed here; the values are checked by the device (ranges and
 * formats in each command's javadoc).
 */
public final class Commands {

    private Commands() {
    }

    /**
     * {@code test-fire {valve, ms?}}: opens one valve once, for commissioning. {@code valve} is the nozzle
     * index ({@code 0..count-1}), {@code ms} the pulse length in milliseconds (a number, 1..1000, default
     * 50). Refused in audit mode and while the line is faulted; answered {@code done} once scheduled.
     */
    public static final class TestFire {
        public static final String NAME = "test-fire";
        public static final String VALVE = "valve";
        public static final String MS = "ms";

        private TestFire() {
        }
    }

    /**
     * {@code audit {enabled, camera?}}: audit mode on ({@code enabled: true}: detect and report, fire no
     * valve) or off, for the whole device or, with {@code camera}, for that camera only.
     */
    public static final class Audit {
        public static final String NAME = "audit";
        public static final String ENABLED = "enabled";
        public static final String CAMERA = "camera";

        private Audit() {
        }
    }

    /**
     * {@code set-lot {lot}}: the current lot every later event is tagged with; 1..64 characters of
     * {@code A-Z a-z 0-9 . _ / -}, or {@code null} to clear it.
     */
    public static final class SetLot {
        public static final String NAME = "set-lot";
        public static final String LOT = "lot";

        private SetLot() {
        }
    }

    /**
     * {@code snapshot {upload, camera?}}: the device encodes the last frame of {@code camera} (when not
     * named: its first configured camera) as a JPEG and PUTs it to {@code upload} (an http(s) URL the
     * server builds, {@code {server}/}{@value #UPLOAD_PATH}{@code {commandId}}) with its device
     * credentials (HTTP Basic). One image per command. Answered {@code accepted}, then {@code done} once
     * the server stored the image, or {@code failed} with the reason.
     */
    public static final class Snapshot {
        public static final String NAME = "snapshot";
        public static final String UPLOAD = "upload";
        public static final String CAMERA = "camera";
        /** Where a device PUTs a snapshot, relative to the server's base URL, followed by the command id. */
        public static final String UPLOAD_PATH = "api/device/snapshots/";

        private Snapshot() {
        }
    }

    /**
     * {@code set-config {yaml}}: a new configuration for the agent, the whole YAML file. The agent checks
     * it with its own strict loader (refused naming the key, nothing changed), then replaces its
     * configuration file atomically, keeping the previous one as {@code {file}.previous}. It takes effect
     * when the agent next starts. An agent without a configuration file (the simulator) refuses it.
     * At most {@value #MAX_CHARS} characters, so the command fits in {@link Schema#MAX_PAYLOAD_BYTES}.
     */
    public static final class SetConfig {
        public static final String NAME = "set-config";
        public static final String YAML = "yaml";
        /** The longest configuration sent: room for JSON escaping within one MQTT payload. */
        public static final int MAX_CHARS = 32 * 1024;

        private SetConfig() {
        }
    }

    /**
     * {@code deploy-model {...}}: downloads, verifies and swaps in a signed model; answered
     * {@code accepted}, then {@code done} or {@code failed}. The arguments are described on the agent's
     * model deployer.
     */
    public static final class DeployModel {
        public static final String NAME = "deploy-model";
        public static final String ROLLOUT_ID = "rolloutId";
        public static final String MODEL_ID = "modelId";
        public static final String MODEL_NAME = "name";
        public static final String VERSION = "version";
        public static final String ONNX_URL = "onnxUrl";
        public static final String CARD_URL = "cardUrl";
        public static final String SHA256 = "sha256";
        public static final String CARD_SHA256 = "cardSha256";
        public static final String SIGNATURE = "signature";
        public static final String SIGNATURE_ALGORITHM = "signatureAlgorithm";
        public static final String SIGNED_MESSAGE = "signedMessage";
        public static final String MODE = "mode";
        public static final String AUDIT = "audit";
        public static final String CAMERAS = "cameras";
        /**
         * The second-look models named by the card's {@code decision.verify}: a list of objects with
         * {@link #VERIFIER_CLASS}, {@link #VERIFIER_FOLDER}, {@link #ONNX_URL}, {@link #CARD_URL}, {@link #SHA256}
         * and {@link #CARD_SHA256}; absent when the model has none. Signed with the model
         * ({@link ModelSignature}).
         */
        public static final String VERIFIERS = "verifiers";
        public static final String VERIFIER_CLASS = "class";
        public static final String VERIFIER_FOLDER = "folder";
        /** The keys of one entry of {@link #VERIFIERS}, all required. */
        public static final List<String> VERIFIER_KEYS = List.of(VERIFIER_CLASS, VERIFIER_FOLDER, ONNX_URL,
                CARD_URL, SHA256, CARD_SHA256);

        private DeployModel() {
        }
    }

    /** {@code rollback-model {rolloutId?, to?}}: every camera that kept a previous model goes back to it. */
    public static final class RollbackModel {
        public static final String NAME = "rollback-model";
        public static final String ROLLOUT_ID = "rolloutId";
        public static final String TO = "to";

        private RollbackModel() {
        }
    }

    private static final Map<String, List<String>> ARGUMENTS = new LinkedHashMap<>();

    static {
        ARGUMENTS.put(TestFire.NAME, List.of(TestFire.VALVE, TestFire.MS));
        ARGUMENTS.put(Audit.NAME, List.of(Audit.ENABLED, Audit.CAMERA));
        ARGUMENTS.put(SetLot.NAME, List.of(SetLot.LOT));
        ARGUMENTS.put(Snapshot.NAME, List.of(Snapshot.UPLOAD, Snapshot.CAMERA));
        ARGUMENTS.put(SetConfig.NAME, List.of(SetConfig.YAML));
        ARGUMENTS.put(DeployModel.NAME, List.of(DeployModel.ROLLOUT_ID, DeployModel.MODEL_ID, DeployModel.MODEL_NAME,
                DeployModel.VERSION, DeployModel.ONNX_URL, DeployModel.CARD_URL, DeployModel.SHA256,
                DeployModel.CARD_SHA256, DeployModel.SIGNATURE, DeployModel.SIGNATURE_ALGORITHM,
                DeployModel.SIGNED_MESSAGE, DeployModel.MODE, DeployModel.AUDIT, DeployModel.CAMERAS,
                DeployModel.VERIFIERS));
        ARGUMENTS.put(RollbackModel.NAME, List.of(RollbackModel.ROLLOUT_ID, RollbackModel.TO));
    }

    /** Every command name, in a stable order. */
    public static List<String> names() {
        return List.copyOf(ARGUMENTS.keySet());
    }

    /** The argument names of a command (in a stable order); empty when the command is not known. */
    public static List<String> arguments(final String command) {
        return ARGUMENTS.getOrDefault(command, List.of());
    }

    public static boolean known(final String command) {
        return ARGUMENTS.containsKey(command);
    }

    /** The first argument of {@code args} that {@code command} does not take, if any. */
    public static Optional<String> unknownArgument(final String command, final ObjectNode args) {
        final Set<String> allowed = Set.copyOf(arguments(command));
        for (final Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            final String k = it.next();
            if (!allowed.contains(k)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}

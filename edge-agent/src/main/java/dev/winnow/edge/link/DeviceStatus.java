package dev.winnow.edge.link;

import dev.winnow.protocol.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** The status a running device announces: the model each camera runs and the cameras that fire nothing on their own. */
public final class DeviceStatus {

    private DeviceStatus() {
    }

    /**
     * @param cameras  every camera id, in the configuration's order
     * @param modelOf  the version of the model a camera runs now
     * @param inAudit  whether a camera is in audit mode on its own now
     */
    public static Status online(final Instant now, final String agentVersion, final List<String> cameras,
                                final Function<String, String> modelOf, final Predicate<String> inAudit,
                                final String configHash) {
        final Map<String, String> models = new LinkedHashMap<>();
        final List<String> audit = new ArrayList<>();
        for (final String camera : cameras) {
            models.put(camera, modelOf.apply(camera));
            if (inAudit.test(camera)) {
                audit.add(camera);
            }
        }
        return new Status(Status.State.ONLINE, now, agentVersion, models, configHash, audit);
    }
}

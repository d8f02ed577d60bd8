package dev.winnow.edge.inspect;

import dev.winnow.edge.config.AgentConfig;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.hardware.interlock.StopLineRelay;
import dev.winnow.hardware.light.StackLight;
import dev.winnow.hardware.light.StackLightState;
import dev.winnow.protocol.Alarm;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The line's fail-safe: faults (camera stall, inference failure, interlock) are raised and cleared
 * by cause; while any is active the configured policy holds — {@code alarm} (red light and an alarm
 * message only), {@code reject-all} (every valve open, duty-cycled under the on-time cap) or
 * {@code stop-line} (the run-permit relay dropped). Warnings (escape rate) light amber without a
 * policy. Thread-safe.
 */
public final class FailSafe {

    /** One alarm change, for the uplink. */
    public record Change(Alarm.State state, Alarm.Severity severity, String cause, String camera, String message) {

        /** The alarm message the uplink sends for this change, with a fresh id. */
        public Alarm toAlarm(final java.time.Instant at) {
            return new Alarm(java.util.UUID.randomUUID().toString(), at, state, severity, cause, message, camera);
        }

        /** One line for the agent's log, e.g. {@code raised falling_behind [colour-1]: ...}. */
        public String describe() {
            return state.name().toLowerCase() + " " + cause + (camera == null ? "" : " [" + camera + "]") + ": "
                    + message;
        }
    }

    private final AgentConfig.FailSafe policy;
    private final StackLight light;
    private final StopLineRelay relay;
    private final ValveScheduler scheduler;
    private final Consumer<Change> changes;
    private final Map<String, String> faults = new TreeMap<>();
    private final Map<String, String> warnings = new TreeMap<>();
    private boolean audit;

    public FailSafe(final AgentConfig.FailSafe policy, final StackLight light, final StopLineRelay relay,
                    final ValveScheduler scheduler, final Consumer<Change> changes) {
        this.policy = policy;
        this.light = light;
        this.relay = relay;
        this.scheduler = scheduler;
        this.changes = changes;
    }

    public AgentConfig.FailSafe policy() {
        return policy;
    }

    /** Grants the line its run permit and shows the light: call once everything is healthy. */
    public synchronized void start(final boolean auditMode) {
        this.audit = auditMode;
        apply();
    }

    public synchronized void setAudit(final boolean auditMode) {
        this.audit = auditMode;
        apply();
    }

    /** @param key cause and camera, e.g. {@code camera_stall/colour-1}; raising twice is harmless */
    public synchronized void fault(final String cause, final String camera, final String message) {
        final String key = cause + "/" + (camera == null ? "" : camera);
        if (faults.put(key, message) == null) {
            changes.accept(new Change(Alarm.State.RAISED, Alarm.Severity.CRITICAL, cause, camera, message));
            apply();
        }
    }

    public synchronized void clear(final String cause, final String camera) {
        final String key = cause + "/" + (camera == null ? "" : camera);
        if (faults.remove(key) != null) {
            changes.accept(new Change(Alarm.State.CLEARED, Alarm.Severity.CRITICAL, cause, camera, cause + " cleared"));
            apply();
        }
    }

    public synchronized void warning(final String cause, final boolean raised, final String message) {
        warning(cause, null, raised, message);
    }

    /** A warning of one camera (nullable: of the line): each camera's is raised and cleared on its own. */
    public synchronized void warning(final String cause, final String camera, final boolean raised,
                                     final String message) {
        final String key = cause + "/" + (camera == null ? "" : camera);
        if (raised ? warnings.put(key, message) == null : warnings.remove(key) != null) {
            changes.accept(new Change(raised ? Alarm.State.RAISED : Alarm.State.CLEARED, Alarm.Severity.WARNING,
                    cause, camera, message));
            apply();
        }
    }

    public synchronized boolean faulted() {
        return !faults.isEmpty();
    }

    public synchronized Map<String, String> activeFaults() {
        return Map.copyOf(faults);
    }

    private void apply() {
        final boolean fault = !faults.isEmpty();
        if (scheduler != null) {
            scheduler.setRejectAll(fault && policy == AgentConfig.FailSafe.REJECT_ALL);
        }
        if (relay != null) {
            relay.stopLine(fault && policy == AgentConfig.FailSafe.STOP_LINE);
        }
        if (light != null) {
            light.show(fault ? StackLightState.FAULT : !warnings.isEmpty() ? StackLightState.WARNING
                    : audit ? StackLightState.AUDIT : StackLightState.RUNNING);
        }
    }

    /** Safe state on shutdown: valves closed by the scheduler's close; light off; relay drops the permit. */
    public synchronized void shutdown() {
        if (light != null) {
            light.show(StackLightState.OFF);
        }
        if (relay != null) {
            relay.stopLine(true);
        }
    }
}

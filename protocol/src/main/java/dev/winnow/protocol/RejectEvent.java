package dev.winnow.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One rejection: a contaminant the agent decided to blow off (or, in audit mode, would have).
 *
 * @param id         unique across the fleet; the server stores each id once
 * @param cls        contaminant class name, e.g. {@code plastic_film} ({@code class} on the wire)
 * @param beltMm     absolute belt position of the object's centre along the belt, mm
 * @param acrossMm   centre across the belt, mm from the left edge
 * @param valves     nozzles fired, ascending
 * @param pulseMs    how long the valves were open
 * @param audit      true when the agent only reported (audit mode) and did not fire
 * @param model      nullable: the model version that made the detection
 * @param lot        nullable: the lot running
 * @param crop       nullable: reference of a JPEG crop kept on the device
 */
public record RejectEvent(String id, Instant time, String camera, String cls, double confidence, double beltMm,
                          double acrossMm, double widthMm, double lengthMm, List<Integer> valves, double pulseMs,
                          boolean audit, String model, String lot, String crop) implements WireMessage {

    public RejectEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(cls, "cls");
        valves = List.copyOf(valves);
    }

    @Override
    public Kind kind() {
        return Kind.REJECT;
    }
}

package dev.winnow.hardware.sim;

import dev.winnow.hardware.encoder.BeltEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A simulated conveyor: belt, cotton, contaminants, cameras and a judging nozzle bar, all driven by
 * one {@link LineClock} and fully determined by the scenario's seed.
 *
 * <h2>Coordinates</h2>
 * <ul>
 *   <li><b>World</b> positions are fixed to the machine, in mm downstream from the belt origin:
 *       cameras and the nozzle bar have world positions.</li>
 *   <li><b>Belt-surface</b> coordinates ({@code alongMm}) are fixed to the moving belt. The belt
 *       has travelled {@code travelMm(t) = speed x (t - start)}; an item at {@code alongMm} is at
 *       world position {@code travelMm(t) - alongMm}. It enters world 0 when the travel equals its
 *       {@code alongMm}; larger {@code alongMm} means further upstream, arriving later.</li>
 *   <li>{@code acrossMm} runs from 0 (the belt edge at valve 0) to the belt width.</li>
 * </ul>
 * An agent reproduces this from the encoder: {@code alongMm = count x mmPerCount - worldMm}.
 *
 * <p>At start the belt already carries cotton everywhere; contaminants are placed only where they
 * had not yet reached any camera view, so every contaminant can be seen before it reaches the bar.
 */
public final class VirtualLine {

    private final Scenario scenario;
    private final LineClock clock;
    private final long startNanos;
    private final double mmPerNano;
    private final ItemSource items;
    private final Map<String, VirtualCamera> cameras = new LinkedHashMap<>();
    private final VirtualEncoder encoder;
    private final VirtualValveBank valves;

    /**
     * Starts the line now: time zero is {@code clock.nanos()} at construction.
     *
     * @param scenario never null
     * @param clock    never null
     */
    public VirtualLine(final Scenario scenario, final LineClock clock) {
        this(scenario, clock, 0);
    }

    /**
     * Starts the line now, with cotton only on its first {@code runInMm} of travel: the first contaminant reaches
     * the first camera view no sooner than that. An agent started with the belt needs its first moments to start
     * its cameras; a line's own start gives it that time before product arrives.
     *
     * @param scenario never null
     * @param clock    never null
     * @param runInMm  belt travel before the first contaminant reaches a view, &ge; 0
     */
    public VirtualLine(final Scenario scenario, final LineClock clock, final double runInMm) {
        if (!(runInMm >= 0)) {
            throw new IllegalArgumentException("runInMm must be >= 0 but is " + runInMm);
        }
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startNanos = clock.nanos();
        this.mmPerNano = scenario.belt().speedMps() / 1e6;
        double firstView = Double.MAX_VALUE;
        for (final Scenario.CameraSpec c : scenario.cameras()) {
            firstView = Math.min(firstView, c.viewStartMm());
        }
        this.items = new ItemSource(scenario, runInMm - firstView);
        int index = 0;
        for (final Scenario.CameraSpec c : scenario.cameras()) {
            cameras.put(c.id(), new VirtualCamera(this, c, index++));
        }
        this.encoder = new VirtualEncoder(this);
        this.valves = new VirtualValveBank(this);
    }

    /** @return the scenario, never null */
    public Scenario scenario() {
        return scenario;
    }

    /** @return the clock driving the line, never null */
    public LineClock clock() {
        return clock;
    }

    /** @return the clock reading at which the belt had travelled 0 mm */
    public long startNanos() {
        return startNanos;
    }

    /** @return belt travel in mm at a line-clock time (negative before the start) */
    public double travelMm(final long nanos) {
        return (nanos - startNanos) * mmPerNano;
    }

    /** @return the line-clock time at which the belt has travelled {@code travelMm} */
    public long nanosAtTravel(final double travelMm) {
        return startNanos + Math.round(travelMm / mmPerNano);
    }

    /** @return the line-clock time at which the belt point {@code alongMm} is at world position {@code worldMm} */
    public long nanosWhenAt(final double alongMm, final double worldMm) {
        return nanosAtTravel(alongMm + worldMm);
    }

    /** @return the encoder count at a line-clock time, never negative */
    public long encoderCountAt(final long nanos) {
        return Math.max(0L, (long) Math.floor(travelMm(nanos) / scenario.belt().encoderMmPerCount()));
    }

    /** @return an encoder reading this line's clock, never null */
    public BeltEncoder encoder() {
        return encoder;
    }

    /**
     * @param id a camera id from the scenario
     * @return the camera, never null
     * @throws IllegalArgumentException for an unknown id
     */
    public VirtualCamera camera(final String id) {
        final VirtualCamera c = cameras.get(id);
        if (c == null) {
            throw new IllegalArgumentException("no camera '" + id + "', cameras: " + cameras.keySet());
        }
        return c;
    }

    /** @return all cameras in scenario order, never null */
    public List<VirtualCamera> cameras() {
        return List.copyOf(cameras.values());
    }

    /** @return the nozzle bar (one instance per line), never null */
    public VirtualValveBank valves() {
        return valves;
    }

    /**
     * @param upToNanos a line-clock time
     * @return every contaminant whose centre has reached world 0 by then, downstream-most first; never null
     */
    public List<BeltItem> groundTruthContaminants(final long upToNanos) {
        final double travel = travelMm(upToNanos);
        final List<BeltItem> out = new ArrayList<>();
        for (long k = ItemSource.chunkOf(items.inPlayFromMm()); k <= ItemSource.chunkOf(travel); k++) {
            for (final BeltItem item : items.contaminantChunk(k)) {
                if (item.alongMm() <= travel) {
                    out.add(item);
                }
            }
        }
        out.sort((a, b) -> Double.compare(a.alongMm(), b.alongMm()));
        return Collections.unmodifiableList(out);
    }

    /** @return contaminants whose extent overlaps belt coordinates [fromMm, toMm], never null */
    public List<BeltItem> contaminantsBetween(final double fromMm, final double toMm) {
        final List<BeltItem> out = new ArrayList<>();
        items.contaminants(fromMm, toMm, out);
        return out;
    }

    /** @return cotton tufts whose extent overlaps belt coordinates [fromMm, toMm], never null */
    public List<BeltItem> tuftsBetween(final double fromMm, final double toMm) {
        final List<BeltItem> out = new ArrayList<>();
        items.tufts(fromMm, toMm, out);
        return out;
    }

    ItemSource items() {
        return items;
    }
}

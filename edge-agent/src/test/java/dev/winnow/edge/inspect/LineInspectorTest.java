package dev.winnow.edge.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.edge.belt.Homography;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.edge.eject.EjectionPlanner;
import dev.winnow.edge.eject.NozzleBar;
import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.valve.ValveBank;
import dev.winnow.protocol.RejectEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class LineInspectorTest {

    private final ManualClock clock = new ManualClock(0);
    private final List<RejectEvent> rejections = new ArrayList<>();
    /** Encoder counts of 0.125 mm: the belt's travel, moved by the tests that need a moving belt. */
    private long encoderCount;
    private ValveBank bank;
    private ValveScheduler scheduler;

    private LineInspector inspector(final LineInspector.Settings settings) {
        bank = new ValveBank() {
            private final boolean[] open = new boolean[4];

            @Override
            public int size() {
                return open.length;
            }

            @Override
            public void open(final int valve) {
                open[valve] = true;
            }

            @Override
            public void close(final int valve) {
                open[valve] = false;
            }

            @Override
            public boolean isOpen(final int valve) {
                return open[valve];
            }

            @Override
            public void closeAll() {
                java.util.Arrays.fill(open, false);
            }

            @Override
            public void close() {
                closeAll();
            }
        };
        final BeltEncoder encoder = new BeltEncoder() {
            @Override
            public long count() {
                return encoderCount;
            }

            @Override
            public double mmPerCount() {
                return 0.125;
            }
        };
        final Homography h = Homography.fromFourPoints(new double[] {0, 0, 64, 0, 64, 48, 0, 48},
                new double[] {0, 225, 1000, 225, 1000, 975, 0, 975});
        scheduler = new ValveScheduler(bank, clock, 250_000_000L, 2_000_000L, new TimingLog(64));
        // A UV camera downstream of the colour camera, the same size: 1125..1875 mm along.
        final Homography uv = Homography.fromFourPoints(new double[] {0, 0, 64, 0, 64, 48, 0, 48},
                new double[] {0, 1125, 1000, 1125, 1000, 1875, 0, 1875});
        final LineInspector inspector = new LineInspector(settings, Map.of("colour-1", h, "uv-1", uv),
                new EjectionPlanner(new NozzleBar(2400, 4, 250, 0, 5, 3, 8, 250)), scheduler, clock,
                Clock.systemUTC(), encoder, () -> 1000, rejections::add);
        // The decision-rule tests read the rejection the moment it is decided; the commit tests set the lead.
        inspector.setCommitLeadNanos(0);
        return inspector;
    }

    /**
     * Two sightings cut off by the top of the view (pixels 5..45 across: 78..703 mm, valves 0..2) decide the object;
     * four whole sightings then show it at pixels 20..24 (312..375 mm: valve 1 only). The belt stands still.
     */
    private static void seeWideThenNarrow(final LineInspector inspector) {
        for (int i = 0; i < 2; i++) {
            inspector.accept(new Frame("colour-1", i, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("straw", 0.9, 5, 0, 40, 10)), "m@1");
        }
        for (int i = 2; i < 6; i++) {
            inspector.accept(new Frame("colour-1", i, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("straw", 0.9, 20, 3, 4, 4)), "m@1");
        }
    }

    /**
     * Runs the belt at 1 m/s (1 mm, 8 encoder counts per ms) for {@code seconds} in 1 ms steps, committing and
     * switching as the agent's threads do.
     */
    private java.util.Set<Integer> runAndRecordOpenedValves(final LineInspector inspector, final double seconds) {
        final java.util.Set<Integer> opened = new java.util.TreeSet<>();
        for (long t = 0; t <= Math.round(seconds * 1000); t++) {
            clock.set(t * 1_000_000L);
            encoderCount = t * 8;
            inspector.commitDue();
            scheduler.runDue();
            for (int v = 0; v < bank.size(); v++) {
                if (bank.isOpen(v)) {
                    opened.add(v);
                }
            }
        }
        return opened;
    }

    @Test
    void aPulseIsPlannedFromTheLatestEstimateWhenItIsDue() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        inspector.setCommitLeadNanos(LineInspector.DEFAULT_COMMIT_LEAD_NANOS);
        seeWideThenNarrow(inspector);
        assertThat(inspector.totalRejections()).as("decided from the first two, partial boxes").isEqualTo(1);
        assertThat(inspector.uncommittedPulses()).isEqualTo(1);
        assertThat(rejections).as("reported when its pulse is committed").isEmpty();
        assertThat(runAndRecordOpenedValves(inspector, 3)).as("fired from the whole sightings").containsExactly(1);
        assertThat(inspector.uncommittedPulses()).isZero();
        assertThat(rejections).hasSize(1);
        assertThat(rejections.get(0).valves()).as("the event names the valves that fired").containsExactly(1);
        assertThat(rejections.get(0).audit()).isFalse();
    }

    @Test
    void anObjectHeldBackNamesTheFirstRuleItFallsShortOf() {
        final LineInspector.Settings rules = new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 4), Map.of("feather", 240.0), Map.of("feather", 0.6));
        final dev.winnow.edge.track.Tracker tracker = new dev.winnow.edge.track.Tracker(10);
        final java.util.function.DoubleFunction<dev.winnow.edge.track.BeltDetection> feather = conf ->
                new dev.winnow.edge.track.BeltDetection("colour-1", "feather", conf, 1000, 500, 20, 20, 0);
        final dev.winnow.edge.track.TrackedObject faint = tracker.add(feather.apply(0.3)).object();
        assertThat(rules.shortOf(faint)).isEqualTo("confidence 0.30 < 0.50");
        final dev.winnow.edge.track.TrackedObject o = tracker.add(
                new dev.winnow.edge.track.BeltDetection("colour-1", "feather", 0.55, 3000, 500, 20, 20, 0, true, 0))
                .object();
        assertThat(rules.shortOf(o)).isEqualTo("sightings 1 < 4");
        for (int k = 0; k < 3; k++) {
            tracker.add(new dev.winnow.edge.track.BeltDetection("colour-1", "feather", 0.55, 3000, 500, 20, 20, 0,
                    true, 50 * (k + 1)));
        }
        assertThat(rules.shortOf(o)).isEqualTo("seen over 150 mm < 240");
        tracker.add(new dev.winnow.edge.track.BeltDetection("colour-1", "feather", 0.55, 3000, 500, 20, 20, 0, true, 250));
        assertThat(rules.shortOf(o)).isEqualTo("mean confidence 0.55 < 0.60");
        tracker.add(new dev.winnow.edge.track.BeltDetection("colour-1", "feather", 0.95, 3000, 500, 20, 20, 0, true, 300));
        assertThat(rules.shortOf(o)).isNull();
    }

    @Test
    void anObjectNamedSurelyNeedsOnlyTheLinesSightings() {
        final LineInspector.Settings rules = new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 4), Map.of("feather", 230.0), Map.of("feather", 0.7), Map.of("feather", 0.9));
        final dev.winnow.edge.track.Tracker tracker = new dev.winnow.edge.track.Tracker(10);
        final java.util.function.BiFunction<Double, Double, dev.winnow.edge.track.TrackedObject> see =
                (conf, travel) -> tracker.add(new dev.winnow.edge.track.BeltDetection("colour-1", "feather", conf,
                        3000, 500, 20, 20, 0, true, travel)).object();
        final dev.winnow.edge.track.TrackedObject sure = see.apply(0.97, 0.0);
        assertThat(rules.shortOf(sure)).as("one sighting: below the line's own 2").isEqualTo("sightings 1 < 4");
        assertThat(rules.passes(sure, Map.of())).isFalse();
        see.apply(0.93, 50.0);
        assertThat(rules.shortOf(sure)).as("2 sightings at a mean of 0.95").isNull();
        assertThat(rules.passes(sure, Map.of())).isTrue();

        final dev.winnow.edge.track.Tracker other = new dev.winnow.edge.track.Tracker(10);
        final dev.winnow.edge.track.TrackedObject unsure = other.add(new dev.winnow.edge.track.BeltDetection(
                "colour-1", "feather", 0.97, 3000, 500, 20, 20, 0, true, 0)).object();
        other.add(new dev.winnow.edge.track.BeltDetection("colour-1", "feather", 0.8, 3000, 500, 20, 20, 0, true, 50));
        assertThat(rules.shortOf(unsure)).as("a mean of 0.885: the feather's own demands").isEqualTo("sightings 2 < 4");
        assertThat(rules.passes(unsure, Map.of())).isFalse();

        final LineInspector.Settings noShortcut = new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 4), Map.of("feather", 230.0), Map.of("feather", 0.7));
        assertThat(noShortcut.shortOf(sure)).as("without the rule for the class").isEqualTo("sightings 2 < 4");
        assertThat(noShortcut.passes(sure, Map.of())).isFalse();
    }

    @Test
    void withoutACommitLeadThePulseIsFixedAtTheDecision() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        seeWideThenNarrow(inspector);
        assertThat(inspector.uncommittedPulses()).isZero();
        assertThat(rejections.get(0).valves()).containsExactly(0, 1, 2);
        assertThat(runAndRecordOpenedValves(inspector, 3)).containsExactly(0, 1, 2);
    }

    @Test
    void aLineSwitchedToAuditBeforeThePulseIsDueFiresNothing() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        inspector.setCommitLeadNanos(LineInspector.DEFAULT_COMMIT_LEAD_NANOS);
        seeWideThenNarrow(inspector);
        inspector.setAudit(true);
        assertThat(runAndRecordOpenedValves(inspector, 3)).isEmpty();
        assertThat(inspector.uncommittedPulses()).isZero();
        assertThat(rejections).hasSize(1);
        assertThat(rejections.get(0).audit()).as("reported as an audit rejection").isTrue();
    }

    @Test
    void aPulseDueBeforeItCouldBeCommittedIsAnEscape() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        inspector.setCommitLeadNanos(LineInspector.DEFAULT_COMMIT_LEAD_NANOS);
        seeWideThenNarrow(inspector);
        final long escapesBefore = inspector.totalEscapes();
        // the committing thread was held up until the belt had carried the object 10 m, far past the bar
        clock.set(10_000_000_000L);
        encoderCount = 80_000;
        inspector.commitDue();
        assertThat(inspector.uncommittedPulses()).isZero();
        assertThat(inspector.totalEscapes()).isEqualTo(escapesBefore + 1);
        assertThat(rejections).as("still reported, with no valve fired").hasSize(1);
        assertThat(rejections.get(0).valves()).isEmpty();
    }

    @Test
    void thePulseCommitterHandsADuePulseOverWithoutAnyFrame() throws Exception {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        inspector.setCommitLeadNanos(LineInspector.DEFAULT_COMMIT_LEAD_NANOS);
        seeWideThenNarrow(inspector);
        final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PulseCommitter committer = new PulseCommitter(inspector, errors::add)) {
            Thread.sleep(50);
            assertThat(inspector.uncommittedPulses()).as("not due yet: the belt has not moved").isEqualTo(1);
            // the camera stalls; the belt carries the object to 11 mm before its pulse opens (1 m/s: 11 ms)
            encoderCount = 8 * 2_000;
            clock.set(2_000_000_000L);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (inspector.uncommittedPulses() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertThat(inspector.uncommittedPulses()).isZero();
        assertThat(rejections).hasSize(1);
        assertThat(rejections.get(0).valves()).containsExactly(1);
        assertThat(errors).isEmpty();
    }

    @Test
    void aNegativeCommitLeadIsRefused() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> inspector.setCommitLeadNanos(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commit lead");
    }

    /** The same object seen again in the next frame (the belt does not move here: encoder count 0). */
    private static void see(final LineInspector inspector, final String cls, final int times) {
        for (int i = 0; i < times; i++) {
            inspector.accept(new Frame("colour-1", i, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection(cls, 0.9, 20, 20, 4, 4)), "m@1");
        }
    }

    @Test
    void aClassCanNeedMoreSightingsThanTheRest() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 8)));
        see(inspector, "feather", 7);
        assertThat(rejections).as("a feather seen in 7 frames is not acted on").isEmpty();
        see(inspector, "feather", 1);
        assertThat(rejections).hasSize(1);
        assertThat(rejections.get(0).cls()).isEqualTo("feather");
    }

    @Test
    void otherClassesKeepTheLineMinimum() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 8)));
        see(inspector, "string", 1);
        assertThat(rejections).isEmpty();
        see(inspector, "string", 1);
        assertThat(rejections).as("a string needs the line's 2 sightings").hasSize(1);
        see(inspector, "string", 5);
        assertThat(rejections).as("one object, one rejection").hasSize(1);
    }

    /**
     * The same object on a moving belt: frame {@code k} is taken after 31.25 mm of travel per frame, which is 2 pixels
     * of this camera (15.625 mm per pixel), so the box moves down the image with the belt.
     */
    private void seeMoving(final LineInspector inspector, final String cls, final int fromFrame, final int toFrame) {
        for (int k = fromFrame; k < toFrame; k++) {
            encoderCount = k * 250L;
            inspector.accept(new Frame("colour-1", k, k * 10_000_000L, encoderCount, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection(cls, 0.9, 20, 10 + 2 * k, 4, 4)), "m@1");
        }
    }

    @Test
    void aClassCanNeedToBeFollowedOverSomeBeltTravel() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("feather", 240.0)));
        seeMoving(inspector, "feather", 0, 8);
        assertThat(rejections).as("a feather followed over 7 x 31.25 = 218.75 mm is not acted on").isEmpty();
        seeMoving(inspector, "feather", 8, 9);
        assertThat(rejections).as("over 250 mm it is").hasSize(1);
        assertThat(rejections.get(0).cls()).isEqualTo("feather");
    }

    @Test
    void aFilmFollowedFurtherThanOneViewMustHaveBeenSeenByBothCameras() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("plastic_film", 600.0)));
        seeMoving(inspector, "plastic_film", 0, 13);
        assertThat(rejections).as("followed across the colour camera's whole view (375 mm)").isEmpty();
        // The object lies 412.5 mm behind the belt's origin mark; at travel T it is at T + 412.5 mm along the line.
        for (int k = 26; k < 30; k++) {
            encoderCount = k * 250L;
            final double centrePx = (k * 31.25 + 412.5 - 1125) / 15.625;
            inspector.accept(new Frame("uv-1", k, k * 10_000_000L, encoderCount, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("plastic_film", 0.9, 20, centrePx - 2, 4, 4)), "uv@1");
        }
        assertThat(rejections).as("the UV camera's sightings join the colour camera's track").hasSize(1);
        assertThat(rejections.get(0).cls()).isEqualTo("plastic_film");
    }

    @Test
    void followingIsMeasuredInTravelNotFrames() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("feather", 240.0)));
        see(inspector, "feather", 20);
        assertThat(rejections).as("20 frames of a belt that did not move follow it over 0 mm").isEmpty();
        final LineInspector strings = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("feather", 240.0)));
        encoderCount = 0;
        seeMoving(strings, "string", 0, 2);
        assertThat(rejections).as("a class without a travel demand needs only its sightings").hasSize(1);
        assertThat(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100).minSeenOverMm("feather"))
                .isZero();
    }

    @Test
    void aClassCanNeedAHighMeanConfidenceOverItsSightings() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of(), Map.of("feather", 0.75)));
        final List<Double> seen = List.of(0.9, 0.55, 0.6, 0.97, 0.97);
        for (int i = 0; i < seen.size(); i++) {
            inspector.accept(new Frame("colour-1", i, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("feather", seen.get(i), 20, 20, 4, 4)), "m@1");
            if (i == 2) {
                assertThat(rejections).as("seen 3 times with a peak of 0.9, but a mean of 0.68").isEmpty();
            }
        }
        assertThat(rejections).as("the fourth sighting brings the mean to 0.755; one object, one rejection")
                .hasSize(1);
    }

    @Test
    void aMeanConfidenceBelowTheClassMinimumIsNotActedOn() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of(), Map.of("feather", 0.8)));
        for (final double c : List.of(0.9, 0.55, 0.6, 0.95)) {
            inspector.accept(new Frame("colour-1", 0, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("feather", c, 20, 20, 4, 4)), "m@1");
        }
        assertThat(rejections).as("mean 0.75 < 0.8").isEmpty();
        inspector.accept(new Frame("colour-1", 0, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                List.of(new PixelDetection("feather", 0.6, 20, 20, 4, 4)), "m@1");
        assertThat(rejections).as("a string of the same frames would have been").isEmpty();
        final LineInspector strings = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of(), Map.of("feather", 0.8)));
        for (final double c : List.of(0.9, 0.55)) {
            strings.accept(new Frame("colour-1", 0, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("string", c, 20, 20, 4, 4)), "m@1");
        }
        assertThat(rejections).as("a class without a mean demand: peak and sightings decide").hasSize(1);
    }

    /** Feathers at these confidences, one object, from the colour camera: mean 0.75 after all four. */
    private static void seeFeathers(final LineInspector inspector, final double... confidences) {
        for (final double c : confidences) {
            inspector.accept(new Frame("colour-1", 0, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection("feather", c, 20, 20, 4, 4)), "m@1");
        }
    }

    @Test
    void theModelThatNamedAnObjectSetsItsMeanConfidenceRule() {
        final LineInspector strict = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        strict.setModelRules(camera -> camera.equals("colour-1") ? Map.of("feather", 0.8) : Map.of());
        seeFeathers(strict, 0.9, 0.55, 0.6, 0.95);
        assertThat(rejections).as("the colour model asks a mean of 0.8 for its feathers: 0.75 is held back")
                .isEmpty();
        final dev.winnow.edge.track.TrackedObject held = new dev.winnow.edge.track.Tracker(10).add(
                new dev.winnow.edge.track.BeltDetection("colour-1", "feather", 0.75, 1000, 500, 20, 20, 0,
                        true, 0)).object();
        assertThat(strict.shortOf(held)).isEqualTo("sightings 1 < 2");

        final LineInspector otherCamera = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        otherCamera.setModelRules(camera -> camera.equals("uv-1") ? Map.of("feather", 0.8) : Map.of());
        seeFeathers(otherCamera, 0.9, 0.55, 0.6, 0.95);
        assertThat(rejections).as("another camera's model does not judge the colour camera's feathers").hasSize(1);
    }

    @Test
    void theLineSettingOverridesTheModelRule() {
        final LineInspector looser = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of(), Map.of("feather", 0.7)));
        looser.setModelRules(camera -> Map.of("feather", 0.8));
        seeFeathers(looser, 0.9, 0.55, 0.6, 0.95);
        assertThat(rejections).as("the line asks 0.7, the model 0.8: the line's value holds").hasSize(1);

        final LineInspector.Settings off = new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of(), Map.of("feather", 0.0));
        assertThat(off.minMeanConfidence("feather", Map.of("feather", 0.8))).as("0 switches the rule off").isZero();
        assertThat(off.minMeanConfidence("string", Map.of("string", 0.6))).as("other classes keep the model's")
                .isEqualTo(0.6);
    }

    @Test
    void aNewModelBringsItsRuleFromItsFirstDecision() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100));
        final java.util.concurrent.atomic.AtomicReference<Map<String, Double>> inUse =
                new java.util.concurrent.atomic.AtomicReference<>(Map.of("feather", 0.8));
        inspector.setModelRules(camera -> inUse.get());
        seeFeathers(inspector, 0.9, 0.55, 0.6, 0.95);
        assertThat(rejections).isEmpty();
        inUse.set(Map.of("feather", 0.7)); // a model deployed that scores real feathers lower
        seeFeathers(inspector, 0.75);
        assertThat(rejections).as("mean 0.75 meets the new model's 0.7").hasSize(1);
    }

    @Test
    void withoutPerClassValuesEveryClassNeedsTheLineMinimum() {
        final LineInspector.Settings s = new LineInspector.Settings("pi-1", 0.5, 10, false, 3, 0.02, 100);
        assertThat(s.minSightings("feather")).isEqualTo(3);
        final LineInspector inspector = inspector(s);
        see(inspector, "feather", 3);
        assertThat(rejections).hasSize(1);
    }
}

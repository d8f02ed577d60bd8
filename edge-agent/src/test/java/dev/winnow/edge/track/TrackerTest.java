package dev.winnow.edge.track;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class TrackerTest {

    private static BeltDetection at(final String camera, final String cls, final double conf, final double along,
                                    final double across) {
        return new BeltDetection(camera, cls, conf, along, across, 10, 10, 0);
    }

    @Test
    void sightingsInSeveralFramesAndCamerasAreOneObject() {
        final Tracker tracker = new Tracker(5);
        final Tracker.Update first = tracker.add(at("colour", "straw", 0.6, 500, 100));
        final Tracker.Update second = tracker.add(at("colour", "straw", 0.7, 502, 101));
        final Tracker.Update uv = tracker.add(at("uv", "polypropylene_twine", 0.9, 499, 99));
        assertThat(first.isNew()).isTrue();
        assertThat(second.isNew()).isFalse();
        assertThat(uv.object()).isSameAs(first.object());
        assertThat(tracker.objects()).isEqualTo(1);
        assertThat(first.object().cls()).isEqualTo("polypropylene_twine");
        assertThat(first.object().sightings()).isEqualTo(3);
    }

    @Test
    void separateObjectsStaySeparate() {
        final Tracker tracker = new Tracker(5);
        tracker.add(at("colour", "straw", 0.6, 500, 100));
        tracker.add(at("colour", "straw", 0.6, 540, 100));
        tracker.add(at("colour", "straw", 0.6, 500, 140));
        assertThat(tracker.objects()).isEqualTo(3);
    }

    @Test
    void growingExtentIsReported() {
        final Tracker tracker = new Tracker(5);
        tracker.add(at("colour", "straw", 0.6, 500, 100));
        final Tracker.Update grown = tracker.add(new BeltDetection("colour", "straw", 0.6, 505, 100, 10, 20, 0));
        assertThat(grown.grew()).isTrue();
        assertThat(grown.object().lengthMm()).isEqualTo(20);
    }

    @Test
    void forgetsObjectsThatHavePassed() {
        final Tracker tracker = new Tracker(5);
        tracker.add(at("colour", "straw", 0.6, 500, 100));
        tracker.add(at("colour", "straw", 0.6, 900, 100));
        tracker.forgetBefore(700);
        assertThat(tracker.liveCount()).isEqualTo(1);
        assertThat(tracker.objects()).isEqualTo(2);
    }

    @Test
    void anObjectForgottenWithoutADecisionIsToldOnceAndADecidedOneIsNot() {
        final Tracker tracker = new Tracker(5);
        final TrackedObject decided = tracker.add(at("colour", "straw", 0.9, 400, 100)).object();
        tracker.decided(decided);
        final TrackedObject held = tracker.add(at("colour", "feather", 0.5, 500, 300)).object();
        tracker.add(at("colour", "feather", 0.5, 900, 600));
        final java.util.List<TrackedObject> told = new java.util.ArrayList<>();
        tracker.forgetBefore(700, told::add);
        tracker.forgetBefore(700, told::add);
        assertThat(told).containsExactly(held);
        assertThat(tracker.liveCount()).isEqualTo(1);
    }

    @Test
    void acrossTheBeltTheExtentIsTheMeanOfWholeSightingsNotTheUnionOfTheirErrors() {
        final Tracker tracker = new Tracker(5);
        // a 10 mm wide object at across 100, boxed 3 mm off to either side in turn
        tracker.add(new BeltDetection("colour", "straw", 0.6, 500, 97, 10, 40, 0, true));
        tracker.add(new BeltDetection("colour", "straw", 0.6, 500, 103, 10, 40, 0, true));
        final TrackedObject o = tracker.add(new BeltDetection("uv", "straw", 0.6, 500, 100, 10, 40, 0, true)).object();
        assertThat(o.acrossMm()).isEqualTo(100.0);
        assertThat(o.widthMm()).as("the union would be 16 mm").isEqualTo(10.0);
        assertThat(o.lengthMm()).isEqualTo(40.0);
    }

    @Test
    void aSightingCutOffByTheViewWidensTheObjectAlongButDoesNotNarrowItAcross() {
        final Tracker tracker = new Tracker(5);
        tracker.add(new BeltDetection("colour", "polypropylene_twine", 0.8, 500, 100, 60, 40, 0, true));
        // the twine's tail, cut off at the view's edge: a narrow box further along
        final Tracker.Update tail = tracker.add(new BeltDetection("colour", "polypropylene_twine", 0.8, 530, 80, 20,
                40, 0, false));
        assertThat(tail.grew()).isTrue();
        assertThat(tail.object().lengthMm()).isEqualTo(70.0);
        assertThat(tail.object().widthMm()).isEqualTo(60.0);
        assertThat(tail.object().acrossMm()).isEqualTo(100.0);
    }

    @Test
    void untilTheObjectIsSeenWholeItsCutOffSightingsAreUnited() {
        final Tracker tracker = new Tracker(5);
        tracker.add(new BeltDetection("colour", "straw", 0.6, 500, 100, 10, 10, 0, false));
        final TrackedObject o = tracker.add(new BeltDetection("colour", "straw", 0.6, 500, 106, 10, 10, 0, false))
                .object();
        assertThat(o.widthMm()).isEqualTo(16.0);
        assertThat(o.acrossMm()).isEqualTo(103.0);
        final Tracker.Update whole = tracker.add(new BeltDetection("colour", "straw", 0.6, 500, 103, 12, 10, 0, true));
        assertThat(whole.object().widthMm()).isEqualTo(12.0);
        assertThat(whole.grew()).as("narrower is not grown").isFalse();
    }

    @Test
    void aStrawLyingInsideADiagonalTwinesBoxIsAnObjectOfItsOwn() {
        final Tracker tracker = new Tracker(10);
        // a twine lying diagonally: its box is 70 mm across by 200 mm along, mostly cotton
        final Tracker.Update twine = tracker.add(new BeltDetection("colour", "polypropylene_twine", 0.9, 500, 300,
                70, 200, 0));
        final Tracker.Update straw = tracker.add(new BeltDetection("colour", "straw", 0.9, 430, 320, 40, 30, 0));
        assertThat(straw.isNew()).as("its box lies wholly inside the twine's, but covers a tenth of it").isTrue();
        assertThat(tracker.objects()).isEqualTo(2);
        assertThat(twine.object().widthMm()).isEqualTo(70);
    }

    @Test
    void oneObjectNamedDifferentlyFromFrameToFrameStaysOneObject() {
        final Tracker tracker = new Tracker(10);
        tracker.add(new BeltDetection("colour", "polypropylene_twine", 0.8, 500, 300, 12, 60, 0));
        final Tracker.Update asString = tracker.add(new BeltDetection("colour", "string", 0.7, 505, 301, 10, 50, 0));
        assertThat(asString.isNew()).isFalse();
        assertThat(tracker.objects()).isEqualTo(1);
    }

    @Test
    void aSightingGoesToTheObjectItOverlapsMost() {
        final Tracker tracker = new Tracker(10);
        final Tracker.Update left = tracker.add(new BeltDetection("colour", "straw", 0.9, 500, 100, 20, 20, 0));
        final Tracker.Update right = tracker.add(new BeltDetection("colour", "straw", 0.9, 500, 135, 20, 20, 0));
        assertThat(right.isNew()).isTrue();
        // between the two, nearer the right one: its gated box overlaps 45 % of the left object's and 61 % of the
        // right one's (the first object it overlaps would be the left one)
        final Tracker.Update next = tracker.add(new BeltDetection("colour", "straw", 0.9, 502, 121, 20, 20, 0));
        assertThat(next.object()).isSameAs(right.object());
        assertThat(left.object().sightings()).isEqualTo(1);
    }
}

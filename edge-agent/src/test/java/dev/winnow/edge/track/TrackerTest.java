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
}

package dev.winnow.edge.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class FallingBehindTest {

    private final List<String> said = new ArrayList<>();
    private final FallingBehind watch = new FallingBehind((camera, behind, why) -> said.add(camera + " " + behind + " " + why));

    /** {@code n} frames of which every {@code every}-th is dropped (every ≤ 0: none). */
    private void frames(final String camera, final int n, final int every) {
        for (int i = 1; i <= n; i++) {
            if (every > 0 && i % every == 0) {
                watch.dropped(camera);
            } else {
                watch.inspected(camera);
            }
        }
    }

    @Test
    void aCameraDroppingOneFrameInFiveIsWarnedAboutOnceWithTheShare() {
        frames("colour-1", FallingBehind.WINDOW, 5);
        assertThat(said).containsExactly("colour-1 true camera colour-1 is falling behind: 20.0 % of its last 600 frames "
                + "were dropped before inspection (warning above 10 %); each object is seen fewer times");
        frames("colour-1", 3 * FallingBehind.WINDOW, 5);
        assertThat(said).as("raised once, not on every frame").hasSize(1);
        assertThat(watch.behind("colour-1")).isTrue();
    }

    @Test
    void theFirstWindowIsNotJudgedStartUpIsSlow() {
        frames("colour-1", 60, 2); // half of the first second dropped while the model warms up
        frames("colour-1", FallingBehind.WINDOW - 61, 0);
        assertThat(said).isEmpty();
        watch.inspected("colour-1"); // the window is full: 30 of 600 dropped, 5 %, under the warning
        assertThat(said).isEmpty();
    }

    @Test
    void itClearsOnlyWellBelowTheWarningSoACameraAtTheEdgeDoesNotFlicker() {
        frames("uv-1", FallingBehind.WINDOW, 5); // raised at 20 %
        frames("uv-1", 2 * FallingBehind.WINDOW, 20); // 5 %: under the warning, over the clearing level
        assertThat(watch.behind("uv-1")).isTrue();
        frames("uv-1", FallingBehind.WINDOW, 0);
        assertThat(watch.behind("uv-1")).isFalse();
        assertThat(said).hasSize(2);
        assertThat(said.get(1)).startsWith("uv-1 false camera uv-1 keeps up again: 1.");
    }

    @Test
    void eachCameraIsJudgedOnItsOwnFrames() {
        frames("colour-1", FallingBehind.WINDOW, 4);
        frames("uv-1", FallingBehind.WINDOW, 0);
        assertThat(watch.behind("colour-1")).isTrue();
        assertThat(watch.behind("uv-1")).isFalse();
        assertThat(said).hasSize(1).allSatisfy(s -> assertThat(s).startsWith("colour-1 true"));
    }
}

package dev.winnow.server.design;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Drawdowns against small drafts worked by hand (rising shed, X = warp on the face). */
class DesignDraftTest {

    @Test
    void plainWeaveChequers() {
        assertThat(Drawdown.text(Drawdown.of(Weave.get("plain"), 4, 4))).isEqualTo("""
                X.X.
                .X.X
                X.X.
                .X.X
                """);
    }

    @Test
    void twoTwoTwillStepsOneEndPerPick() {
        // treadle 1 lifts shafts 1+2, treadle 2 lifts 2+3, treadle 3 lifts 3+4, treadle 4 lifts 4+1
        assertThat(Drawdown.text(Drawdown.of(Weave.get("twill_2_2"), 4, 4))).isEqualTo("""
                XX..
                .XX.
                ..XX
                X..X
                """);
    }

    @Test
    void twoOneTwillAndBasket() {
        assertThat(Drawdown.text(Drawdown.of(Weave.get("twill_2_1"), 3, 3))).isEqualTo("""
                XX.
                .XX
                X.X
                """);
        assertThat(Drawdown.text(Drawdown.of(Weave.get("basket_2_2"), 4, 4))).isEqualTo("""
                XX..
                XX..
                ..XX
                ..XX
                """);
    }

    @Test
    void satinHasOneInterlacingPerEndAndPick() {
        final boolean[][] up = Drawdown.of(Weave.get("satin_5"), 5, 5);
        assertThat(Drawdown.text(up)).isEqualTo("""
                X....
                ..X..
                ....X
                .X...
                ...X.
                """);
    }

    @Test
    void floatsPerWeave() {
        assertThat(Weave.get("plain").maxFloat()).isEqualTo(1);
        assertThat(Weave.get("basket_2_2").maxFloat()).isEqualTo(2);
        assertThat(Weave.get("twill_2_2").maxFloat()).isEqualTo(2);
        assertThat(Weave.get("twill_3_1").maxFloat()).isEqualTo(3);
        assertThat(Weave.get("satin_5").maxFloat()).isEqualTo(4);
    }

    @Test
    void houndstoothFaceByHand() {
        // 4 dark (0) 4 light (1) in warp and weft, 2/2 twill: the classic broken-check tooth
        final List<Colour> pal = List.of(Colour.of("black", "#000000", "", 10), Colour.of("white", "#ffffff", "", 10));
        final Fabric f = new Fabric(Genome.parse("houndstooth twill_2_2 W:0x4,1x4 F:0x4,1x4"), pal);
        final StringBuilder sb = new StringBuilder();
        for (int p = 0; p < 8; p++) {
            for (int e = 0; e < 8; e++) {
                sb.append(f.colourAt(e, p) == 0 ? '#' : '.');
            }
            sb.append('\n');
        }
        assertThat(sb.toString()).isEqualTo("""
                ####..##
                #####..#
                ######..
                ####.##.
                ##......
                .##.....
                ..##....
                #..#....
                """);
        assertThat(f.share[0]).isEqualTo(0.5);
    }

    @Test
    void fullRepeatIsTheLeastCommonMultiple() {
        final List<Colour> pal = List.of(Colour.of("a", "#102030", "", 10), Colour.of("b", "#f0f0f0", "", 10));
        final Fabric f = new Fabric(Genome.parse("stripe twill_2_1 W:0x2,1x1 F:0x3"), pal);
        assertThat(f.ends()).isEqualTo(3);
        assertThat(f.picks()).isEqualTo(3);
        final Fabric g = new Fabric(Genome.parse("stripe twill_2_2 W:0x3,1x3 F:0x4"), pal);
        assertThat(g.ends()).isEqualTo(12);
    }
}

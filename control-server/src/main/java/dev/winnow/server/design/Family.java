package dev.winnow.server.design;

import java.util.List;
import java.util.Locale;

/** Fabric families a study may ask for, with the weaves each is woven in. */
public enum Family {
    STRIPE(List.of(), "warp stripes on a solid weft"),
    CHECK(List.of(), "balanced check/plaid: the weft repeats the warp's colour order"),
    GINGHAM(List.of("plain", "basket_2_2"), "two colours in equal bands, warp and weft alike, plain woven"),
    HOUNDSTOOTH(List.of("twill_2_2"), "two colours in bands of 4 (or 8), 2/2 twill"),
    TWILL(List.of("twill_2_1", "twill_1_2", "twill_2_2", "twill_3_1"), "a twill with a solid or lightly striped warp and a solid weft"),
    MELANGE(List.of("plain", "basket_2_2"), "plain melange: 2-3 close colours in runs of 1-2 threads");

    private final List<String> weaves;
    private final String rule;

    Family(final List<String> weaves, final String rule) {
        this.weaves = weaves;
        this.rule = rule;
    }

    /** Weaves this family may use; empty means any. */
    public List<String> weaves() {
        return weaves;
    }

    public boolean allows(final String weave) {
        return weaves.isEmpty() || weaves.contains(weave);
    }

    public String rule() {
        return rule;
    }

    /** True when the weft repeats the warp. */
    public boolean symmetric() {
        return this == CHECK || this == GINGHAM || this == HOUNDSTOOTH;
    }

    /** True when the weft is one colour. */
    public boolean solidWeft() {
        return this == STRIPE || this == TWILL;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts stripe, check, plaid, check/plaid, gingham, houndstooth, twill, melange, plain melange. */
    public static Family parse(final String s) {
        final String k = s.trim().toLowerCase(Locale.ROOT).replace('-', ' ').replace('_', ' ');
        switch (k) {
            case "plaid", "check/plaid", "tartan", "checks" -> {
                return CHECK;
            }
            case "plain melange", "melange" -> {
                return MELANGE;
            }
            case "stripes", "striped" -> {
                return STRIPE;
            }
            default -> {
                for (final Family f : values()) {
                    if (f.id().equals(k)) {
                        return f;
                    }
                }
                throw new IllegalArgumentException("unknown family '" + s + "'");
            }
        }
    }
}

package dev.winnow.server.design;

import java.util.Locale;

/**
 * Click-through from A/B tests with honest uncertainty: a Beta(1 + clicks, 1 + misses) posterior
 * per design, its 95 % credible interval, and the probability that the design beats a baseline.
 */
public final class Market {

    private Market() {
    }

    /** A design's posterior Beta(a0 + clicks, b0 + misses). */
    public record Posterior(long impressions, long clicks, double a0, double b0, double mean, double low, double high) {
        /** With a uniform Beta(1, 1) prior. */
        public static Posterior of(final long impressions, final long clicks) {
            return of(impressions, clicks, 1, 1);
        }

        public static Posterior of(final long impressions, final long clicks, final double a0, final double b0) {
            final double a = a0 + clicks;
            final double b = b0 + impressions - clicks;
            return new Posterior(impressions, clicks, a0, b0, a / (a + b), quantile(0.025, a, b), quantile(0.975, a, b));
        }

        /**
         * With an empirical prior worth {@code strength} impressions at the pooled CTR: a design
         * shown to few people stays near the pool until its own clicks say otherwise.
         */
        public static Posterior pooled(final long impressions, final long clicks, final double pooledCtr,
                                       final double strength) {
            final double p = Math.min(0.99, Math.max(0.001, pooledCtr));
            return of(impressions, clicks, 1 + p * strength, 1 + (1 - p) * strength);
        }

        public double alpha() {
            return a0 + clicks;
        }

        public double beta() {
            return b0 + impressions - clicks;
        }

        /** P(CTR above {@code baseline}). */
        public double beats(final double baseline) {
            return 1 - incompleteBeta(baseline, alpha(), beta());
        }
    }

    /** The market critic: how likely the design's CTR beats the study's pooled CTR. */
    public static Critics.Score score(final Posterior p, final double baseline) {
        final double v = p.beats(baseline);
        return new Critics.Score("market", v, String.format(Locale.ROOT,
                "CTR %.2f%% (95%% CrI %.2f–%.2f%%, %d/%d); P(beats pooled %.2f%%) = %.2f",
                100 * p.mean(), 100 * p.low(), 100 * p.high(), p.clicks(), p.impressions(), 100 * baseline, v));
    }

    /** Regularized incomplete beta I_x(a, b) (Numerical Recipes' continued fraction). */
    public static double incompleteBeta(final double x, final double a, final double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        final double bt = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
        if (x < (a + 1) / (a + b + 2)) {
            return bt * cf(x, a, b) / a;
        }
        return 1 - bt * cf(1 - x, b, a) / b;
    }

    private static double cf(final double x, final double a, final double b) {
        final double tiny = 1e-300;
        final double qab = a + b;
        final double qap = a + 1;
        final double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < tiny) {
            d = tiny;
        }
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 100_000; m++) {
            final int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            final double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-12) {
                break;
            }
        }
        return h;
    }

    /** Inverse of {@link #incompleteBeta} in x, by bisection. */
    public static double quantile(final double p, final double a, final double b) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 64; i++) {
            final double mid = (lo + hi) / 2;
            if (incompleteBeta(mid, a, b) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Lanczos approximation of ln Γ(x), x > 0. */
    static double logGamma(final double x) {
        final double[] g = {676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        final double xx = x - 1;
        double s = 0.99999999999980993;
        for (int i = 0; i < g.length; i++) {
            s += g[i] / (xx + i + 1);
        }
        final double t = xx + g.length - 0.5;
        return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(s);
    }
}

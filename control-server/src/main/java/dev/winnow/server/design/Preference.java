package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What the designers like, learned from their ratings and shortlists: a ridge regression of the
 * rating on the design {@link Critics#features features}. Ratings 1..5 map to -1..+1, a shortlist
 * counts as a +1 with double weight. Refitted from scratch whenever asked (there are few ratings).
 */
public final class Preference {

    /** One judgement: features of the design and the target in [-1, 1], with a weight. */
    public record Example(double[] x, double y, double weight) {
    }

    static final double LAMBDA = 0.5;
    private final int n;
    private final double[] mu;
    private final double ybar;
    private final double[] w;

    private Preference(final int n, final double[] mu, final double ybar, final double[] w) {
        this.n = n;
        this.mu = mu;
        this.ybar = ybar;
        this.w = w;
    }

    public static Preference none() {
        return new Preference(0, null, 0, null);
    }

    public static Example rating(final double[] x, final int stars) {
        return new Example(x, (stars - 3) / 2.0, 1);
    }

    public static Example shortlist(final double[] x) {
        return new Example(x, 1, 2);
    }

    public static Preference fit(final List<Example> ex) {
        if (ex.isEmpty()) {
            return none();
        }
        final int d = ex.get(0).x().length;
        final double[] mu = new double[d];
        double ws = 0;
        double ybar = 0;
        for (final Example e : ex) {
            for (int k = 0; k < d; k++) {
                mu[k] += e.weight() * e.x()[k];
            }
            ybar += e.weight() * e.y();
            ws += e.weight();
        }
        for (int k = 0; k < d; k++) {
            mu[k] /= ws;
        }
        ybar /= ws;
        final double[][] a = new double[d][d + 1];
        for (int k = 0; k < d; k++) {
            a[k][k] = LAMBDA;
        }
        for (final Example e : ex) {
            for (int i = 0; i < d; i++) {
                final double xi = e.x()[i] - mu[i];
                for (int j = 0; j < d; j++) {
                    a[i][j] += e.weight() * xi * (e.x()[j] - mu[j]);
                }
                a[i][d] += e.weight() * xi * (e.y() - ybar);
            }
        }
        return new Preference(ex.size(), mu, ybar, solve(a));
    }

    public int examples() {
        return n;
    }

    /** Raw prediction in about -1..1. */
    public double predict(final double[] x) {
        if (n == 0) {
            return 0;
        }
        double s = ybar;
        for (int k = 0; k < w.length; k++) {
            s += w[k] * (x[k] - mu[k]);
        }
        return s;
    }

    public Critics.Score score(final double[] x) {
        if (n == 0) {
            return new Critics.Score("preference", 0.5, "no ratings yet");
        }
        final double p = predict(x);
        final List<double[]> contrib = new ArrayList<>();
        for (int k = 0; k < w.length; k++) {
            contrib.add(new double[] {k, w[k] * (x[k] - mu[k])});
        }
        contrib.sort(Comparator.comparingDouble(c -> -Math.abs(c[1])));
        final StringBuilder why = new StringBuilder();
        for (int i = 0; i < 2 && i < contrib.size(); i++) {
            final double[] c = contrib.get(i);
            if (Math.abs(c[1]) < 0.02) {
                break;
            }
            why.append(why.length() == 0 ? "" : ", ").append(Critics.FEATURES[(int) c[0]])
                    .append(String.format(Locale.ROOT, " %+.2f", c[1]));
        }
        return new Critics.Score("preference", 0.5 + 0.5 * Math.tanh(p), String.format(Locale.ROOT,
                "predicted %s from %d judgement%s%s", p >= 0 ? "liked" : "disliked", n, n == 1 ? "" : "s",
                why.length() == 0 ? "" : " (" + why + ")"));
    }

    /** Feature weights, for the page. */
    public List<Object[]> weights() {
        final List<Object[]> out = new ArrayList<>();
        if (w != null) {
            for (int k = 0; k < w.length; k++) {
                out.add(new Object[] {Critics.FEATURES[k], w[k]});
            }
        }
        return out;
    }

    /** Gaussian elimination with partial pivoting on an augmented d×(d+1) matrix. */
    static double[] solve(final double[][] a) {
        final int d = a.length;
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            final double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            for (int r = c + 1; r < d; r++) {
                final double f = a[r][c] / a[c][c];
                for (int k = c; k <= d; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        final double[] x = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double s = a[r][d];
            for (int k = r + 1; k < d; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}

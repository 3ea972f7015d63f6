package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rehearsal's estimator ({@link Rehearsal#fit}): a median line, so one slow step of a shared machine sets no figure. */
class RehearsalFitTest {
    /** Steps on the line {@code start + k x}: each {x, y}. */
    private static List<double[]> line(double start, double k, double... xs) {
        List<double[]> points = new ArrayList<>();
        for (double x : xs) {
            points.add(new double[]{x, start + k * x});
        }
        return points;
    }

    @Test
    void stepsOnALineGiveItsStartAndCostPerObject() {
        double[] f = Rehearsal.fit(line(0.3, 0.01, 1, 1, 16.7, 16.7, 16.7));
        assertThat(f).hasSize(2);
        assertThat(f[0]).isCloseTo(0.3, offset(1e-12));
        assertThat(f[1]).isCloseTo(0.01, offset(1e-12));
    }

    @Test
    void oneSlowStepMovesNeitherFigureWhereItWouldDragALeastSquaresLine() {
        List<double[]> points = line(0.3, 0.01, 1, 1, 16.7, 16.7, 16.7);
        points.get(4)[1] += 0.5; // one large step took 0.5 s more: the machine, not the model
        double[] f = Rehearsal.fit(points);
        assertThat(f[0]).isCloseTo(0.3, offset(1e-12));
        assertThat(f[1]).isCloseTo(0.01, offset(1e-12));
        // Least squares through the same points: the slow step becomes a cost per object about 60% too high.
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double my = points.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = points.stream().mapToDouble(p -> (p[0] - mx) * (p[1] - my)).sum();
        double sxx = points.stream().mapToDouble(p -> (p[0] - mx) * (p[0] - mx)).sum();
        assertThat(sxy / sxx).isGreaterThan(0.015);

        // A slow small step, too: the start stays.
        points.get(0)[1] += 0.4;
        f = Rehearsal.fit(points);
        assertThat(f[0]).isCloseTo(0.3, offset(0.03));
        assertThat(f[1]).isCloseTo(0.01, offset(0.002));
    }

    @Test
    void stepsOfOneSizeGiveTheirMedianStartAndNoCostPerObject() {
        List<double[]> points = line(0.2, 0, 5, 5, 5);
        points.get(1)[1] = 1.9; // one slow: the median ignores it
        double[] f = Rehearsal.fit(points);
        assertThat(f[0]).isCloseTo(0.2, offset(1e-12));
        assertThat(f[1]).isNaN();
    }

    @Test
    void aNegativeCostPerObjectFallsBackToTheMedianStart() {
        double[] f = Rehearsal.fit(line(0.5, -0.01, 1, 1, 20, 20, 20));
        assertThat(f).hasSize(4);
        assertThat(f[1]).isNaN();
        assertThat(f[0]).isCloseTo(0.3, offset(1e-12)); // the median of 0.49, 0.49, 0.3, 0.3, 0.3
        assertThat(f[3]).isCloseTo(-0.01, offset(1e-12));
    }

    @Test
    void aStartBelowTheLeastIsHeldThereAndTheCostPerObjectIsTheMedianRatio() {
        double[] f = Rehearsal.fit(line(-0.05, 0.02, 1, 10, 10, 20));
        assertThat(f).hasSize(4);
        assertThat(f[0]).isEqualTo(Rehearsal.MIN_START);
        assertThat(f[2]).isCloseTo(-0.05, offset(1e-12));
        // (y - 1 ms) / x of each step: -0.031, 0.0149, 0.0149, 0.01745; their median
        assertThat(f[1]).isCloseTo(0.149 / 10, offset(1e-12));
    }
}

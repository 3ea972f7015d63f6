package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live ETA: measured rates replace the model's for the work that is left. */
class LiveEtaTest {
    private static Step step(String id, String kind, Phase phase, String move, List<String> after, double seconds) {
        return new Step(id, kind, phase, move, after, new StepParams.None(), 0, 0, seconds, Map.of(), "");
    }

    private final List<Step> steps = List.of(
            step("presync/m/copy-1of2", "copy", Phase.PRESYNC, "m", List.of(), 10),
            step("presync/m/copy-2of2", "copy", Phase.PRESYNC, "m", List.of(), 10),
            step("presync/n/copy", "copy", Phase.PRESYNC, "n", List.of(), 10),
            step(Planner.CUTOVER_START, StepParams.BARRIER, Phase.CUTOVER, null,
                    List.of("presync/m/copy-1of2", "presync/m/copy-2of2", "presync/n/copy"), 0),
            step("cutover/hook/freeze", "hook", Phase.CUTOVER, null, List.of(Planner.CUTOVER_START), 2),
            step("cutover/m/delta", "copy", Phase.CUTOVER, "m", List.of("cutover/hook/freeze"), 4),
            step("cutover/m/verify", "verify", Phase.CUTOVER, "m", List.of("cutover/m/delta"), 3));

    @Test
    void beforeAnythingRunsTheForecastIsThePlan() {
        LiveEta eta = new LiveEta(steps, 1, Map.of());
        LiveEta.Forecast f = eta.forecast(0);
        assertThat(f.remaining()).isEqualTo(30 + 2 + 4 + 3);
        assertThat(f.freeze()).isEqualTo(9);
        assertThat(f.factor()).isEqualTo(1);
    }

    @Test
    void finishedStepsScaleTheStepsMostLikeThemAndRunningStepsCountWhatIsLeft() {
        LiveEta eta = new LiveEta(steps, 1, Map.of());
        eta.started("presync/m/copy-1of2", 0);
        eta.finished(steps.get(0), 20, true); // twice as slow as planned
        eta.started("presync/m/copy-2of2", 20);
        Map<String, Double> scaled = eta.scaled();
        assertThat(scaled.get("presync/m/copy-2of2")).isEqualTo(20.0); // same move, kind and phase
        assertThat(scaled.get("presync/n/copy")).isEqualTo(20.0); // another move: by the same kind
        assertThat(scaled.get("cutover/m/delta")).isEqualTo(8.0); // the same kind in another phase
        assertThat(scaled.get("cutover/m/verify")).isEqualTo(6.0); // no verify yet: by its move
        assertThat(scaled.get("cutover/hook/freeze")).as("a hook keeps its declared estimate").isEqualTo(2.0);
        // 5 s into the second shard: 15 s of it, 20 s of n, then 2 + 8 + 6 s of cut-over
        LiveEta.Forecast f = eta.forecast(25);
        assertThat(f.remaining()).isCloseTo(15 + 20 + 16, offset(1e-9));
        assertThat(f.freeze()).isCloseTo(16, offset(1e-9));
        assertThat(f.factor()).isEqualTo(2.0);
        eta.finished(steps.get(1), 20, true);
        eta.finished(steps.get(2), 5, false); // failed: teaches nothing, but is not left to do
        assertThat(eta.isFinished("presync/n/copy")).isTrue();
        assertThat(eta.forecast(45).remaining()).isCloseTo(16, offset(1e-9));
    }
}

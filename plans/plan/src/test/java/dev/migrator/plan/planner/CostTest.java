package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.model.Price;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.provider.MigratorException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Egress and request cost per source, from list prices or the plan's own. */
class CostTest {
    private static Plan parse(String yaml) {
        return PlanParser.parse(Path.of("cost.yaml"), yaml);
    }

    @Test
    void anAwsBucketIsPricedAtS3ListPricesAndASelfHostedSourceIsFree() {
        Plan plan = parse("""
                sources:
                  media: {uri: 's3://media-bucket', objects: 2400000, size: 1.8TiB}
                  old: {uri: 'file:///srv/old', objects: 1000, size: 1GiB}
                targets: {new: 'file:///srv/new', new2: 'file:///srv/new2'}
                moves:
                  - {from: media, to: new, delta: 0%}
                  - {from: old, to: new2}
                """);
        assertThat(plan.location("media").price()).isEqualTo(Price.AWS_S3);
        Cost cost = Cost.of(plan, Planner.plan(plan, Inventory.DECLARED).inventory());
        Cost.Line media = cost.lines().get(0);
        assertThat(media.text()).startsWith("media: 1.8 TiB egress ≈ $178 at $0.09/GB, 2.4 M GET ≈ $0.96, 7.2 k LIST ≈ $0.04")
                .contains("AWS S3 list price of " + Price.LIST_PRICES_AS_OF);
        assertThat(cost.lines().get(1).text()).startsWith("old: 1.0 GiB out of a self-hosted source ≈ $0");
        assertThat(cost.lines().get(1).bytes()).as("the default 5% delta is read again").isEqualTo(Math.round(1.05 * (1 << 30)));
        assertThat(cost.total()).isCloseTo(1.8 * Math.pow(2, 40) / 1e9 * 0.09 + 0.96 + 0.036, org.assertj.core.data.Offset.offset(0.01));
        String text = PlanOutput.text(Planner.plan(plan, Inventory.DECLARED));
        assertThat(text).contains("Cost at the sources").contains("  Total: ≈ $179");
        assertThat(PlanOutput.json(Planner.plan(plan, Inventory.DECLARED))).contains("\"totalDollars\" : 179.");
    }

    @Test
    void thePlanOverridesAPriceAndAnS3CompatibleEndpointIsFree() {
        Plan plan = parse("""
                sources:
                  media: {uri: 's3://media?endpoint=http://10.0.0.5:9000', size: 100GB, objects: 1000,
                          price: {egress: $0.02/GB, get: 0.001/1000}}
                  minio: {uri: 's3://other?endpoint=http://10.0.0.5:9000', size: 100GB, objects: 1000}
                targets: {new: 'file:///srv/new', new2: 'file:///srv/new2'}
                moves: [{from: media, to: new, delta: 0%}, {from: minio, to: new2}]
                """);
        assertThat(Price.defaultFor("s3://other?endpoint=http://10.0.0.5:9000")).isEqualTo(Price.FREE);
        Cost cost = Cost.of(plan, Planner.plan(plan, Inventory.DECLARED).inventory());
        assertThat(cost.lines().get(0).text()).startsWith("media: 93.1 GiB egress ≈ $2.00 at $0.02/GB, 1.0 k GET ≈ $0.00, 3 LIST ≈ $0.00")
                .endsWith("(the plan)");
        assertThat(cost.lines().get(1).price().free()).isTrue();
    }

    @Test
    void aPriceThatIsNotDollarsIsALineAndColumn() {
        assertThatThrownBy(() -> parse("""
                sources: {media: {uri: 's3://media', price: {egress: cheap}}}
                targets: {new: 'file:///srv/new'}
                moves: [{from: media, to: new}]
                """)).isInstanceOf(MigratorException.class)
                .hasMessage("cost.yaml:1:54: price egress 'cheap': expected US dollars per GB, e.g. 0.09/GB");
    }
}

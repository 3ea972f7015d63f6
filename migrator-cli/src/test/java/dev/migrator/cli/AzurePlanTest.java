package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import dev.migrator.testkit.azure.Azurite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan whose target is Azure Blob (Azurite): planned, run with a prune, verified, nothing else needed. */
class AzurePlanTest {
    @TempDir
    Path dir;

    @Test
    void aPlanMovesIntoAzureAndPrunesThere() throws Exception {
        Azurite azurite = Azurite.shared();
        Path src = dir.resolve("src");
        new LocalObjectStore(src).put("a/keep", Content.of(new byte[] {1, 2, 3}),
                new ObjectMetadata("text/plain", null, null, null, Map.of("owner-id", "7")));
        new LocalObjectStore(src).put("b/also", Content.of(new byte[5000]), ObjectMetadata.EMPTY);
        String azure = AzuriteContainers.create(azurite, "planned", "media/");
        try (ObjectStore target = Stores.open(azure, StoreOptions.DEFAULTS)) {
            target.put("a/stale", Content.of(new byte[] {9}), ObjectMetadata.EMPTY);
        }
        Path plan = dir.resolve("to-azure.yaml");
        Files.writeString(plan, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new, delete-extraneous: true}]
                """.formatted(src.toUri(), azure));
        CliRun planned = CliRun.of("plan", plan.toString());
        assertThat(planned.exit()).as(planned.all()).isZero();
        assertThat(planned.all()).doesNotContain(Azurite.KEY);
        CliRun run = CliRun.of("run", plan.toString(), "-q");
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("1 deleted at the target");
        assertThat(run.all()).doesNotContain(Azurite.KEY);
        CliRun verify = CliRun.of("verify", src.toString(), azure, "-q");
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).startsWith("Identical: 2 objects");
    }
}

package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.testkit.azure.Azurite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when an az:// location is wrong: exit 2, one line naming it, never the key. */
class AzureCliErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingContainerAndAWrongKeyAreOneLineWithoutTheKey() {
        Azurite azurite = Azurite.shared();
        String key = "&account-key=" + URLEncoder.encode(Azurite.KEY, StandardCharsets.UTF_8);
        String missing = "az://" + Azurite.ACCOUNT + "/no-such-container/?endpoint=" + azurite.endpoint() + key;
        CliRun run = CliRun.of("verify", dir.toString(), missing);
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).contains("no-such-container").contains("create it").doesNotContain(Azurite.KEY)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);

        String wrong = "az://" + Azurite.ACCOUNT + "/c?endpoint=" + azurite.endpoint() + "&account-key="
                + URLEncoder.encode("d3Jvbmcta2V5LXdyb25nLWtleQ==", StandardCharsets.UTF_8);
        CliRun denied = CliRun.of("verify", dir.toString(), wrong);
        assertThat(denied.exit()).as(denied.all()).isEqualTo(2);
        assertThat(denied.err()).contains("account-key=").doesNotContain("d3Jvbmcta2V5").doesNotContain("Exception");
    }
}

package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BundleLayoutTest {
    static String sha(String s) {
        return Digests.hex(Digests.sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void ordinaryKeysStayAsTheyAre() {
        assertThat(BundleLayout.entryPath("s1", "media/café ☕/menu.png")).isEqualTo("s1/media/café ☕/menu.png");
        assertThat(BundleLayout.entryPath("s1", "logs//x/")).isEqualTo("s1/logs/%/x/%");
        assertThat(BundleLayout.entryPath("s1", "a/./../100%")).isEqualTo("s1/a/%2E/%2E%2E/100%25");
        String fits = "x".repeat(BundleLayout.MAX_SEGMENT_BYTES);
        assertThat(BundleLayout.entryPath("s1", fits)).isEqualTo("s1/" + fits);
    }

    @Test
    void segmentsTooLongForAFileNameWithAPieceSuffixAreHashed() {
        String tooLong = "x".repeat(BundleLayout.MAX_SEGMENT_BYTES + 1);
        assertThat(BundleLayout.entryPath("s1", "a/" + tooLong + "/b")).isEqualTo("s1/a/%h-" + sha(tooLong) + "/b");
        // Length is of the written form: 82 '%' are 246 bytes once escaped; 122 'é' are 244 UTF-8 bytes.
        String pct = "%".repeat(82);
        assertThat(BundleLayout.entryPath("s1", pct)).isEqualTo("s1/%h-" + sha(pct));
        String accents = "é".repeat(122);
        assertThat(BundleLayout.entryPath("s1", accents)).isEqualTo("s1/%h-" + sha(accents));
        assertThat(BundleLayout.piecePath(BundleLayout.entryPath("s1", "x".repeat(243)), 1).length() - 3).isEqualTo(255);
    }

    @Test
    void pathsLongerThanTarCanExtractAreNamedByTheWholeKey() {
        String key = String.join("/", Collections.nCopies(19, "%".repeat(81)));
        assertThat(BundleLayout.entryPath("s1", key)).isEqualTo("s1/%h-" + sha(key));
    }

    @Test
    void differentKeysGetDifferentSafeNames() {
        String seg = "y".repeat(300);
        List<String> keys = List.of(seg, seg + "/", "a/" + seg, "%h-" + sha(seg), "%", "", "/", "%25", ".", "%2E",
                String.join("/", Collections.nCopies(19, "%".repeat(81))), String.join("/", Collections.nCopies(19, "%".repeat(80))));
        Set<String> names = new HashSet<>();
        for (String k : keys) {
            String name = BundleLayout.entryPath("s1", k);
            assertThat(names.add(name)).as(k).isTrue();
            BundleLayout.requireSafe(name, "test");
        }
    }
}

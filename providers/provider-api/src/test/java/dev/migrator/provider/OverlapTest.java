package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OverlapTest {

    @Test
    void aLocationInsideAnotherOverlapsButASiblingWithASharedPrefixDoesNot() {
        assertThat(Overlap.overlaps("s3://h:1/b/", "s3://h:1/b/src/")).isTrue();
        assertThat(Overlap.overlaps("s3://h:1/b/src/", "s3://h:1/b/")).isTrue();
        assertThat(Overlap.overlaps("s3://h:1/b/src", "s3://h:1/b/src/")).isTrue();
        assertThat(Overlap.overlaps("s3://h:1/b/src/", "s3://h:1/b/src2/")).isFalse();
        assertThat(Overlap.overlaps("s3://h:1/b/", "s3://h:2/b/")).isFalse();
        assertThat(Overlap.overlaps("file:///tmp/a/", "file:///tmp/ab/")).isFalse();
    }

    @Test
    void refusalNamesBothRolesAndSaysWhichContainsWhich() {
        ObjectStore outer = store("s3://b/", "s3://h:1/b/");
        ObjectStore inner = store("s3://b/src/", "s3://h:1/b/src/");
        assertThatThrownBy(() -> Overlap.refuse("source", inner, "target", outer))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("source s3://b/src/ and target s3://b/ overlap")
                .hasMessageContaining("the source lies inside the target");
        assertThatThrownBy(() -> Overlap.refuse("source", inner, "target", store("s3://b/src", "s3://h:1/b/src/")))
                .hasMessageContaining("are the same location");
        Overlap.refuse("source", inner, "target", store("s3://b/src2/", "s3://h:1/b/src2/"));
    }

    private static ObjectStore store(String display, String location) {
        return new ObjectStore() {
            @Override
            public String displayUri() {
                return display;
            }

            @Override
            public String location() {
                return location;
            }

            @Override
            public java.util.stream.Stream<ObjectInfo> list(String prefix) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.Optional<ObjectInfo> stat(String key) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.io.InputStream open(String key, long offset, long length) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void delete(String key) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
    }
}

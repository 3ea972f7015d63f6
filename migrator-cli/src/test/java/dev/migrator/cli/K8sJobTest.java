package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Job for a plan, submitted to the fabric8 mock Kubernetes API server and read back from it. */
class K8sJobTest {
    @TempDir
    Path dir;

    @Test
    void theSubmittedJobIsIndexedWithOneIndexPerUnitRetriesPerIndexAndCredentialsOnlyByName() throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore source = new LocalObjectStore(src);
        for (int i = 0; i < 30; i++) {
            source.put("k/" + i, Content.of(("object " + i).getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        }
        Path plan = dir.resolve("exit.yaml");
        Files.writeString(plan, """
                name: k8s
                deadline: 1h
                sources:
                  old: '%s'
                targets:
                  new: '%s'
                moves:
                  - {name: k, from: old, to: new, shards: 6}
                """.formatted(src.toUri(), dir.resolve("dst").toUri()));
        String state = dir.resolve("state").toUri().toString();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        try {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: mock, cluster: {server: '%s'}}]
                    users: [{name: me, user: {token: not-a-secret}}]
                    contexts: [{name: mock, context: {cluster: mock, user: me, namespace: default}}]
                    current-context: mock
                    """.formatted(server.url("/")));
            CliRun r = CliRun.of("k8s-job", plan.toString(), "--image", "registry.example/migrator:1.0", "--workers", "2",
                    "--state", state, "--secret", "exit-creds", "-n", "exit", "--kubeconfig", kubeconfig.toString(), "--apply");
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("Submitted Job exit/migrator-k8s");

            JsonNode frozen = new ObjectMapper().readTree(dir.resolve("state").resolve("plan.json").toFile());
            int units = frozen.path("steps").size(); // one unit per step here (no database restore joins its dump)
            assertThat(units).isEqualTo(6 + 1 + 6 + 6);

            KubernetesClient client = server.createClient();
            Job job = client.batch().v1().jobs().inNamespace("exit").withName("migrator-k8s").get();
            assertThat(job).as("the Job is on the API server").isNotNull();
            assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
            assertThat(job.getSpec().getCompletions()).isEqualTo(units);
            assertThat(job.getSpec().getParallelism()).isEqualTo(2);
            assertThat(job.getSpec().getBackoffLimitPerIndex()).isEqualTo(3);
            assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
            Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).isEqualTo("registry.example/migrator:1.0");
            assertThat(c.getArgs()).containsExactly("worker", "/plan/exit.yaml", "--state", state, "--workers", "" + units, "-q");
            assertThat(c.getEnvFrom()).hasSize(1);
            assertThat(c.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("exit-creds");
            assertThat(c.getEnv()).as("no value is written into the manifest").isNullOrEmpty();
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            ConfigMap cm = client.configMaps().inNamespace("exit").withName("migrator-k8s-plan").get();
            assertThat(cm.getData().get("exit.yaml")).isEqualTo(Files.readString(plan));
        } finally {
            server.destroy();
        }
    }

    @Test
    void aPlanOrStateCarryingCredentialsIsRefusedAndTheSecretIsNotPrinted() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("state");
            String withSecret = s3.s3Uri("state", "run");
            Path plan = dir.resolve("p.yaml");
            Files.writeString(plan, """
                    name: k8s
                    sources:
                      old: '%s'
                    targets:
                      new: '%s'
                    moves: [{from: old, to: new}]
                    """.formatted(dir.resolve("a").toUri(), dir.resolve("b").toUri()));
            CliRun r = CliRun.of("k8s-job", plan.toString(), "--image", "img", "--state", withSecret, "-o", "yaml");
            assertThat(r.exit()).as(r.all()).isEqualTo(2);
            assertThat(r.err()).contains("--state carries credentials").contains("Secret");
            assertThat(r.all()).doesNotContain(EmbeddedS3Server.SECRET_KEY);
        }
        // The YAML printed for a clean plan names the Secret and holds no credential.
        Path plan = dir.resolve("clean.yaml");
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(plan, """
                name: clean
                sources:
                  old: '%s'
                targets:
                  new: '%s'
                moves: [{from: old, to: new}]
                """.formatted(dir.resolve("a").toUri(), dir.resolve("b").toUri()));
        CliRun yaml = CliRun.of("k8s-job", plan.toString(), "--image", "img", "--state", dir.resolve("st").toUri().toString());
        assertThat(yaml.exit()).as(yaml.all()).isZero();
        Job job = Serialization.unmarshal(yaml.out().substring(yaml.out().indexOf("---", 3)), Job.class);
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().get(0).getSecretRef().getName())
                .isEqualTo("migrator-credentials");
    }
}

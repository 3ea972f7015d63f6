package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.shared.SharedRun;
import dev.migrator.plan.shared.StoreState;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "k8s-job", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Build (and with --apply submit) a Kubernetes Indexed Job that runs the plan on worker pods.",
            "The pods share --state (s3:// or gs://; file:// only on a volume every pod mounts). One completion index per work unit,",
            "N pods at once, a failed pod retried with the same index. Credentials come from a Secret, by name only.",
            "The plan file goes into a ConfigMap beside the Job. See docs/kubernetes.md."})
final class K8sJobCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "The container image holding migrator.")
    String image;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4", description = "Pods at once (parallelism). Default: 4.")
    int workers;

    @Option(names = "--secret", paramLabel = "NAME", defaultValue = "migrator-credentials",
            description = "The Secret whose keys become the pods' environment (AWS_ACCESS_KEY_ID, ...). Default: migrator-credentials.")
    String secret;

    @Option(names = "--name", paramLabel = "NAME", description = "The Job's name. Default: migrator-<plan name>.")
    String name;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default", description = "Default: default.")
    String namespace;

    @Option(names = "--backoff-limit-per-index", paramLabel = "N", defaultValue = "3",
            description = "Retries of one index's pod before that index counts as failed. Default: 3.")
    int backoffPerIndex;

    @Option(names = "--cpu", defaultValue = "1", description = "CPU request per pod. Default: 1.")
    String cpu;

    @Option(names = "--memory", defaultValue = "2Gi", description = "Memory request per pod. Default: 2Gi.")
    String memory;

    @Option(names = "-o", paramLabel = "yaml", description = "Print the manifests as YAML (the default without --apply).")
    String format;

    @Option(names = "--apply", description = "Submit the ConfigMap and Job with the current kubeconfig (or in-cluster config).")
    boolean apply;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig to use with --apply. Default: $KUBECONFIG or ~/.kube/config.")
    Path kubeconfig;

    @Override
    public Integer call() {
        if (format != null && !format.equals("yaml")) {
            throw MigratorException.badInput("-o " + format + ": only yaml is supported");
        }
        if (workers < 1 || workers > 1000) {
            throw MigratorException.badInput("--workers " + workers + ": expected 1 to 1000");
        }
        Plan parsed = plan.parse();
        String stateUri = plan.sharedState();
        // Every pod runs with these arguments: nothing secret may be in them, or in the plan the ConfigMap carries.
        if (!Redaction.uri(stateUri).equals(stateUri)) {
            throw MigratorException.badInput("--state carries credentials; a Job manifest must not: put them in the Secret '"
                    + secret + "' (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_CREDENTIALS) and drop them from the URI");
        }
        parsed.locations().forEach((n, l) -> {
            if (!Redaction.uri(l.uri()).equals(l.uri())) {
                throw MigratorException.badInput(parsed.file() + ": location '" + n + "' carries credentials in its URI; the plan"
                        + " goes into a ConfigMap, so put them in the Secret '" + secret + "' and drop them from the plan");
            }
        });
        int units;
        try (StoreState state = StoreState.open(stateUri)) {
            PlanRunner.Frozen frozen = SharedRun.freeze(parsed, state, StandardSteps.kinds()); // the pods run this plan
            units = SharedRun.units(frozen, EnumSet.allOf(Phase.class)).size();
        }
        String job = name != null ? name : "migrator-" + parsed.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String planText;
        try {
            planText = Files.readString(parsed.file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw MigratorException.badInput("cannot read " + parsed.file() + ": " + e.getMessage());
        }
        String planName = parsed.file().getFileName().toString();
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(job + "-plan").withNamespace(namespace)
                .addToLabels(labels(job)).endMetadata().addToData(planName, planText).build();
        Job manifest = job(job, planName, stateUri, Math.max(units, workers));
        if (units < 3 * workers) {
            System.err.println("migrator: note: the plan has " + units + " work units for " + workers + " pods; about "
                    + 3 * workers + " (more shards per move) let fast pods take more");
        }
        if (!apply || format != null) {
            System.out.print(Serialization.asYaml(cm));
            System.out.print(Serialization.asYaml(manifest));
        }
        if (apply) {
            try (KubernetesClient client = client()) {
                client.configMaps().inNamespace(namespace).resource(cm).createOr(op -> op.update());
                client.batch().v1().jobs().inNamespace(namespace).resource(manifest).create();
            } catch (KubernetesClientException e) {
                throw new MigratorException(e.getCode() == 409 ? ErrorCode.CONFLICT : ErrorCode.FAILED, "cannot submit Job "
                        + namespace + "/" + job + ": " + e.getMessage() + (e.getCode() == 409 ? " (delete the old Job first)" : ""), e);
            }
            System.out.println("Submitted Job " + namespace + "/" + job + ": " + Math.max(units, workers) + " indices, " + workers
                    + " at once. Watch it with: migrator status " + parsed.file() + " --state " + stateUri);
        }
        return 0;
    }

    private static Map<String, String> labels(String job) {
        return Map.of("app.kubernetes.io/name", "migrator", "app.kubernetes.io/instance", job);
    }

    /** The Indexed Job: pod k gets JOB_COMPLETION_INDEX=k and runs {@code migrator worker} with it. */
    Job job(String job, String planName, String stateUri, int completions) {
        return new JobBuilder()
                .withNewMetadata().withName(job).withNamespace(namespace).addToLabels(labels(job)).endMetadata()
                .withNewSpec()
                    .withCompletionMode("Indexed").withCompletions(completions).withParallelism(workers)
                    .withBackoffLimitPerIndex(backoffPerIndex).withMaxFailedIndexes(completions)
                    .withNewTemplate()
                        .withNewMetadata().addToLabels(labels(job)).endMetadata()
                        .withNewSpec().withRestartPolicy("Never")
                            .addNewContainer().withName("worker").withImage(image)
                                .withArgs(List.of("worker", "/plan/" + planName, "--state", stateUri, "--workers",
                                        Integer.toString(completions), "-q"))
                                .addNewEnvFrom().withNewSecretRef().withName(secret).endSecretRef().endEnvFrom()
                                .withNewResources().addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                                .endResources()
                                .addNewVolumeMount().withName("plan").withMountPath("/plan").withReadOnly(true).endVolumeMount()
                            .endContainer()
                            .addNewVolume().withName("plan").withNewConfigMap().withName(job + "-plan").endConfigMap().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec().build();
    }

    private KubernetesClient client() {
        if (kubeconfig == null) {
            return new KubernetesClientBuilder().build(); // kubeconfig, or the in-cluster service account
        }
        try {
            return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
        } catch (IOException e) {
            throw MigratorException.badInput("--kubeconfig " + kubeconfig + ": " + e.getMessage());
        }
    }
}

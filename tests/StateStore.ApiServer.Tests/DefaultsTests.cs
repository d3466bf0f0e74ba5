using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>Kubernetes' defaults on pods, pod templates and jobs, and the validation of jobs and config keys.</summary>
public sealed class DefaultsTests : ApiTestBase
{
    [Fact]
    public async Task A_pod_gets_kubernetes_defaults_and_the_default_toleration_seconds()
    {
        var pod = Pod("p");
        pod.Spec.Containers.Add(new V1Container { Name = "pinned", Image = "registry.local:5000/busybox:1.36" });

        var created = await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        Assert.Equal("Always", created.Spec.RestartPolicy);
        Assert.Equal("ClusterFirst", created.Spec.DnsPolicy);
        Assert.Equal("default-scheduler", created.Spec.SchedulerName);
        Assert.Equal(30, created.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("Always", created.Spec.Containers[0].ImagePullPolicy);
        Assert.Equal("IfNotPresent", created.Spec.Containers[1].ImagePullPolicy);
        Assert.Equal(
            ["node.kubernetes.io/not-ready NoExecute 300", "node.kubernetes.io/unreachable NoExecute 300"],
            created.Spec.Tolerations.Select(t => $"{t.Key} {t.Effect} {t.TolerationSeconds}"));
    }

    [Fact]
    public async Task A_pod_that_tolerates_everything_gets_no_default_tolerations()
    {
        var pod = Pod("p");
        pod.Spec.Tolerations = [new V1Toleration { OperatorProperty = "Exists" }];

        var created = await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var toleration = Assert.Single(created.Spec.Tolerations);
        Assert.Null(toleration.Key);
    }

    [Fact]
    public async Task A_deployment_gets_its_strategy_and_its_template_the_pod_defaults()
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = Pod("x").Spec },
            },
        }, "default");

        Assert.Equal(1, created.Spec.Replicas);
        Assert.Equal("RollingUpdate", created.Spec.Strategy.Type);
        Assert.Equal("25%", created.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal(10, created.Spec.RevisionHistoryLimit);
        Assert.Equal("Always", created.Spec.Template.Spec.RestartPolicy);
    }

    [Fact]
    public async Task A_job_needs_a_restart_policy_of_OnFailure_or_Never_and_gets_its_defaults()
    {
        V1Job Job(string name, string? restartPolicy)
        {
            var spec = Pod("x").Spec;
            spec.RestartPolicy = restartPolicy;
            return new V1Job { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1JobSpec { Template = new V1PodTemplateSpec { Spec = spec } } };
        }

        var answer = await AssertStatusAsync(422, "Invalid", () => Client.BatchV1.CreateNamespacedJobAsync(Job("bad", null), "default"));
        var created = await Client.BatchV1.CreateNamespacedJobAsync(Job("good", "Never"), "default");

        Assert.Contains("\"field\":\"spec.template.spec.restartPolicy\"", answer);
        Assert.Equal((1, 1, 6), (created.Spec.Parallelism, created.Spec.Completions, created.Spec.BackoffLimit));
    }

    [Fact]
    public async Task A_config_key_with_a_space_is_invalid()
    {
        var answer = await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm", new() { ["a key"] = "v" }), "default"));

        Assert.Contains("\"field\":\"data[a key]\"", answer);
        Assert.Empty((await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
    }
}

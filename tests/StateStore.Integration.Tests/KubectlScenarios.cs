using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// Real kubectl, unmodified, against the Kubernetes API of a real member: version, api-resources, get as a table and
/// as YAML/JSON, get -w, create/apply/delete from files (apply's update is a strategic merge patch), describe, scale,
/// create secret/configmap, label and annotate — the output people read, line by line. Run with the machine's
/// kubectl (<see cref="KubectlTests"/>) and with Debian's 1.20 (<see cref="Kubectl120Tests"/>).
/// </summary>
public abstract class KubectlScenarios(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(150))
{
    /// <summary>The kubectl binary the scenarios run.</summary>
    protected abstract string? Binary { get; }

    /// <summary>True for kubectl 1.20: it sends no fieldValidation, so an unknown field is a warning, not an error.</summary>
    protected virtual bool Legacy => false;

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: nginx
                image: nginx:IMAGE
                ports: [{containerPort: 80}]
              - name: sidecar
                image: busybox
        """;

    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p1, labels: {tier: a}}
        spec:
          containers: [{name: main, image: busybox}]
        """;

    private async Task<Kubectl> StartAsync()
    {
        var cluster = await StartClusterAsync(new ClusterOptions { Size = 1 });
        var kubectl = new Kubectl(cluster.Members[0].Config.ApiUrl, Path.Combine(DataFolder, "kubectl"), Binary);
        // The system namespaces appear once the API has written them.
        for (var i = 0; !(await kubectl.RunAsync(["get", "namespace", "default"], Timeout)).Stdout.Contains("Active"); i++)
        {
            Assert.True(i < 100, "namespace default never appeared");
            await Task.Delay(100, Timeout);
        }
        return kubectl;
    }

    protected Task VersionApiResourcesAndGet() => RunAsync(async () =>
    {
        var kubectl = await StartAsync();

        Assert.Contains("v1.31.0-statestore", (await kubectl.SucceedsAsync("version", Timeout)).Stdout);
        var resources = (await kubectl.SucceedsAsync("api-resources", Timeout)).Lines;
        Assert.Contains(resources, l => l.StartsWith("deployments ") && l.Contains("apps/v1") && l.Contains("Deployment"));
        Assert.Contains(resources, l => l.StartsWith("pods ") && l.Contains(" po ") && l.Contains("true"));
        Assert.Matches(@"^NAME\s+STATUS\s+AGE$", (await kubectl.SucceedsAsync("get namespaces", Timeout)).Lines[0]);
        Assert.Contains((await kubectl.SucceedsAsync("get namespaces", Timeout)).Lines, l => l.StartsWith("kube-system") && l.Contains("Active"));

        Assert.Equal(["pod/p1 created"], (await kubectl.SucceedsAsync($"create -f {kubectl.Manifest("pod.yaml", Pod)}", Timeout)).Lines);
        var table = (await kubectl.SucceedsAsync("get pods", Timeout)).Lines;
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", table[0]);
        Assert.Matches(@"^p1\s+0/1\s+Pending\s+0\s+\d+s$", table[1]);
        var yaml = (await kubectl.SucceedsAsync("get pod p1 -o yaml", Timeout)).Stdout;
        Assert.Contains("kind: Pod", yaml);
        Assert.Contains("uid: ", yaml);
        var json = (await kubectl.SucceedsAsync("get pods -o json", Timeout)).Json;
        Assert.Equal("p1", json.GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString());
        (await kubectl.RunAsync(["create", "-f", kubectl.Manifest("pod.yaml", Pod)], Timeout)).FailedWith(1, "Error from server (AlreadyExists)");
        (await kubectl.RunAsync(["get", "pod", "nosuch"], Timeout)).FailedWith(1, "Error from server (NotFound): pods \"nosuch\" not found");
        var bogus = kubectl.Manifest("bogus.yaml", Pod.Replace("name: p1", "name: p2").Replace("spec:\n", "spec:\n  bogus: 1\n"));
        if (Legacy)
        {
            Assert.Contains("Warning: unknown field \"spec.bogus\"", (await kubectl.RunAsync(["create", "-f", bogus], Timeout)).Succeeded().Stderr);
            Assert.Equal("", (await kubectl.SucceedsAsync("get pod p2 -o jsonpath={.spec.bogus}", Timeout)).Stdout);
        }
        else
        {
            (await kubectl.RunAsync(["create", "-f", bogus], Timeout)).FailedWith(1, "strict decoding error: unknown field \"spec.bogus\"");
            (await kubectl.RunAsync(["get", "pod", "p2"], Timeout)).FailedWith(1, "NotFound");
        }
    });

    protected Task ApplyScaleLabelAnnotateDescribeDelete() => RunAsync(async () =>
    {
        var kubectl = await StartAsync();
        var manifest = kubectl.Manifest("web.yaml", Deployment.Replace("IMAGE", "1.19"));

        Assert.Equal(["deployment.apps/web created"], (await kubectl.SucceedsAsync($"apply -f {manifest}", Timeout)).Lines);
        Assert.Equal(["deployment.apps/web unchanged"], (await kubectl.SucceedsAsync($"apply -f {manifest}", Timeout)).Lines);
        manifest = kubectl.Manifest("web.yaml", Deployment.Replace("IMAGE", "1.20"));
        Assert.Equal(["deployment.apps/web configured"], (await kubectl.SucceedsAsync($"apply -f {manifest}", Timeout)).Lines);
        var applied = (await kubectl.RunAsync(["get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[*].image} {.metadata.generation}"], Timeout)).Succeeded();
        Assert.Equal("nginx:1.20 busybox 2", applied.Stdout);

        Assert.Equal(["deployment.apps/web scaled"], (await kubectl.SucceedsAsync("scale deployment web --replicas=3", Timeout)).Lines);
        Assert.Matches(@"^web\s+0/3\s+0\s+0\s+\d+s$", (await kubectl.SucceedsAsync("get deployments", Timeout)).Lines[1]);
        Assert.Equal(["deployment.apps/web labeled"], (await kubectl.SucceedsAsync("label deployment web env=prod", Timeout)).Lines);
        Assert.Equal(["deployment.apps/web annotated"], (await kubectl.SucceedsAsync("annotate deployment web owner=team-a", Timeout)).Lines);
        Assert.Equal(["deployment.apps/web"], (await kubectl.SucceedsAsync("get deployments -l env=prod -o name", Timeout)).Lines);
        var described = (await kubectl.SucceedsAsync("describe deployment web", Timeout)).Stdout;
        Assert.Matches(@"Name:\s+web", described);
        Assert.Matches(@"owner: team-a", described);

        if (!Legacy)
        {
            // kubectl 1.20 looks for dryRun in the OpenAPI document, which this server serves empty, and refuses.
            var dry = kubectl.Manifest("web-dry.yaml", Deployment.Replace("IMAGE", "1.21"));
            Assert.Equal(["deployment.apps/web configured (server dry run)"], (await kubectl.SucceedsAsync($"apply -f {dry} --dry-run=server", Timeout)).Lines);
            Assert.Equal("nginx:1.20", (await kubectl.SucceedsAsync("get deployment web -o jsonpath={.spec.template.spec.containers[0].image}", Timeout)).Stdout);
        }

        Assert.Equal(["deployment.apps \"web\" deleted"], (await kubectl.SucceedsAsync($"delete -f {manifest}", Timeout)).Lines);
        (await kubectl.RunAsync(["get", "deployment", "web"], Timeout)).FailedWith(1, "NotFound");
    });

    protected Task CreateSecretConfigMapAndWatch() => RunAsync(async () =>
    {
        var kubectl = await StartAsync();
        Assert.Equal(["secret/s1 created"], (await kubectl.SucceedsAsync("create secret generic s1 --from-literal=password=hunter2", Timeout)).Lines);
        Assert.Equal(["configmap/c1 created"], (await kubectl.SucceedsAsync("create configmap c1 --from-literal=a=1", Timeout)).Lines);
        Assert.Equal("aHVudGVyMg==", (await kubectl.SucceedsAsync("get secret s1 -o jsonpath={.data.password}", Timeout)).Stdout);

        await using var watch = kubectl.Start(["get", "configmaps", "-w", "--no-headers"]);
        var first = await watch.ReadLinesAsync(1, Timeout);
        await kubectl.SucceedsAsync("create configmap c2 --from-literal=b=2", Timeout);
        var next = await watch.ReadLinesAsync(1, Timeout);

        Assert.Matches(@"^c1\s+1\s+\d+s$", first[0]);
        Assert.Matches(@"^c2\s+1\s+\d+s$", next[0]);
    });
}

/// <summary>The scenarios with the machine's kubectl (the dispatcher picks 1.31 from the server's /version).</summary>
public sealed class KubectlTests(ITestOutputHelper output) : KubectlScenarios(output)
{
    protected override string? Binary => Kubectl.BinaryPath;

    [RequiresKubectlFact]
    public Task Version_api_resources_and_get_as_table_yaml_and_json() => VersionApiResourcesAndGet();

    [RequiresKubectlFact]
    public Task Apply_twice_scale_label_annotate_describe_and_delete() => ApplyScaleLabelAnnotateDescribeDelete();

    [RequiresKubectlFact]
    public Task Create_secret_and_configmap_and_get_watch_sees_changes() => CreateSecretConfigMapAndWatch();
}

/// <summary>The scenarios with Debian's kubectl 1.20 (the oldest client the API serves; it has no server-side field validation).</summary>
public sealed class Kubectl120Tests(ITestOutputHelper output) : KubectlScenarios(output)
{
    protected override string? Binary => Kubectl.Legacy120Path;

    protected override bool Legacy => true;

    [RequiresKubectl120Fact]
    public Task Version_api_resources_and_get_as_table_yaml_and_json() => VersionApiResourcesAndGet();

    [RequiresKubectl120Fact]
    public Task Apply_twice_scale_label_annotate_describe_and_delete() => ApplyScaleLabelAnnotateDescribeDelete();

    [RequiresKubectl120Fact]
    public Task Create_secret_and_configmap_and_get_watch_sees_changes() => CreateSecretConfigMapAndWatch();
}

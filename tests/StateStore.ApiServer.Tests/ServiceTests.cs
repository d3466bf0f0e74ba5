using System.Net;
using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>Services get Kubernetes' defaults, a cluster IP and node ports of their own, kept across updates and freed on delete.</summary>
public sealed class ServiceTests : ApiTestBase
{
    private static V1Service Service(string name, string? clusterIP = null, string? type = null, int? nodePort = null, params int[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = clusterIP,
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = [.. (ports.Length == 0 ? [80] : ports).Select((p, i) => new V1ServicePort { Name = $"p{i}", Port = p, NodePort = nodePort })],
        },
    };

    private static bool InServiceRange(string ip)
    {
        var bytes = IPAddress.Parse(ip).GetAddressBytes();
        return bytes[0] == 10 && bytes[1] is >= 96 and < 112 && ip != "10.96.0.0" && ip != "10.96.0.1";
    }

    [Fact]
    public async Task A_service_gets_defaults_and_a_cluster_ip_of_its_own()
    {
        var a = await Client.CoreV1.CreateNamespacedServiceAsync(Service("a"), "default");
        var b = await Client.CoreV1.CreateNamespacedServiceAsync(Service("b"), "default");

        Assert.Equal("ClusterIP", a.Spec.Type);
        Assert.Equal("None", a.Spec.SessionAffinity);
        Assert.Equal("TCP", a.Spec.Ports[0].Protocol);
        Assert.Equal("80", a.Spec.Ports[0].TargetPort.Value);
        Assert.True(InServiceRange(a.Spec.ClusterIP), a.Spec.ClusterIP);
        Assert.Equal([a.Spec.ClusterIP], a.Spec.ClusterIPs);
        Assert.NotEqual(a.Spec.ClusterIP, b.Spec.ClusterIP);
    }

    [Fact]
    public async Task A_requested_cluster_ip_must_be_free_and_in_range_and_is_freed_on_delete()
    {
        await Client.CoreV1.CreateNamespacedServiceAsync(Service("a", clusterIP: "10.96.7.7"), "default");

        var taken = await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.CreateNamespacedServiceAsync(Service("b", clusterIP: "10.96.7.7"), "default"));
        var outside = await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.CreateNamespacedServiceAsync(Service("c", clusterIP: "192.168.1.1"), "default"));
        Assert.Contains("provided IP is already allocated", taken);
        Assert.Contains("provided IP is not in the valid range", outside);
        Assert.Single((await Client.CoreV1.ListNamespacedServiceAsync("default")).Items);

        await Client.CoreV1.DeleteNamespacedServiceAsync("a", "default");
        var b = await Client.CoreV1.CreateNamespacedServiceAsync(Service("b", clusterIP: "10.96.7.7"), "default");
        Assert.Equal("10.96.7.7", b.Spec.ClusterIP);
    }

    [Fact]
    public async Task An_update_keeps_the_cluster_ip_and_may_not_change_it()
    {
        var created = await Client.CoreV1.CreateNamespacedServiceAsync(Service("a"), "default");

        var replaced = await Client.CoreV1.ReplaceNamespacedServiceAsync(Service("a", ports: [80, 443]), "a", "default");
        var moved = Service("a", clusterIP: "10.96.8.8");
        var answer = await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.ReplaceNamespacedServiceAsync(moved, "a", "default"));

        Assert.Equal(created.Spec.ClusterIP, replaced.Spec.ClusterIP);
        Assert.Equal(2, replaced.Spec.Ports.Count);
        Assert.Contains("\"field\":\"spec.clusterIP\"", answer);
        Assert.Equal(created.Spec.ClusterIP, (await Client.CoreV1.ReadNamespacedServiceAsync("a", "default")).Spec.ClusterIP);
    }

    [Fact]
    public async Task Node_ports_are_allocated_kept_unique_and_dropped_when_leaving_NodePort()
    {
        var a = await Client.CoreV1.CreateNamespacedServiceAsync(Service("a", type: "NodePort"), "default");
        var port = a.Spec.Ports[0].NodePort!.Value;
        Assert.InRange(port, 30000, 32767);

        var clash = await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.CreateNamespacedServiceAsync(Service("b", type: "NodePort", nodePort: port), "default"));
        Assert.Contains("provided port is already allocated", clash);
        var again = await Client.CoreV1.ReplaceNamespacedServiceAsync(Service("a", type: "NodePort"), "a", "default");
        Assert.Equal(port, again.Spec.Ports[0].NodePort);

        var cluster = await Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"spec\":{\"type\":\"ClusterIP\"}}", V1Patch.PatchType.MergePatch), "a", "default");
        Assert.Null(cluster.Spec.Ports[0].NodePort);
        var b = await Client.CoreV1.CreateNamespacedServiceAsync(Service("b", type: "NodePort", nodePort: port), "default");
        Assert.Equal(port, b.Spec.Ports[0].NodePort);
    }

    [Fact]
    public async Task Headless_and_ExternalName_services_get_no_address_and_bad_ports_are_invalid()
    {
        var headless = await Client.CoreV1.CreateNamespacedServiceAsync(Service("headless", clusterIP: "None"), "default");
        var external = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "ext" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "db.example.test" },
        }, "default");
        var noPorts = new V1Service { Metadata = new V1ObjectMeta { Name = "noports" }, Spec = new V1ServiceSpec() };
        var unnamed = Service("unnamed", ports: [80, 81]);
        unnamed.Spec.Ports[1].Name = null;

        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.Null(external.Spec.ClusterIP);
        Assert.Contains("\"field\":\"spec.ports\"", await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.CreateNamespacedServiceAsync(noPorts, "default")));
        Assert.Contains("\"field\":\"spec.ports[1].name\"", await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.CreateNamespacedServiceAsync(unnamed, "default")));
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;
using StateStore.ApiServer.Storage;
using StateStore.Kv;

namespace StateStore.ApiServer.Registry;

/// <summary>
/// Cluster IPs (from 10.96.0.0/12, 10.96.0.1 kept for the API's own service) and node ports (30000–32767) for
/// Services, as kube-apiserver allocates them: each taken address is a key under /registry/ranges/ naming its
/// service, claimed by a create-if-absent transaction, so two services never get the same one. A claim older than
/// a minute whose service is gone or no longer uses it (a failed create, a namespace deleted wholesale) is taken over.
/// </summary>
internal sealed class ServiceAllocator(ObjectStore store)
{
    private const string IpKeys = "/registry/ranges/serviceips/";
    private const string PortKeys = "/registry/ranges/servicenodeports/";
    private const uint FirstIp = (10u << 24) | (96u << 16);
    private const int IpCount = 1 << 20;
    private const int FirstPort = 30000;
    private const int PortCount = 2768;
    private static readonly ResourceType Services = ResourceCatalog.Find("", "v1", "services")!;

    /// <summary>How long a claim is left alone even when its service is not (yet) stored.</summary>
    private static readonly TimeSpan ClaimGrace = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gives a Service what it lacks: a cluster IP (unless headless or ExternalName) and node ports (NodePort and
    /// LoadBalancer), and claims those it was given that <paramref name="current"/> (its stored form) did not hold
    /// (what an update left out was already kept by <see cref="Objects.Defaults.KeepAllocated"/>). A requested
    /// address outside the range or taken by another service is a 422 Invalid. Other types have nothing to allocate.
    /// </summary>
    public async Task AllocateAsync(ResourceType type, JsonObject service, JsonObject? current, CancellationToken cancellationToken)
    {
        if (type != Services)
        {
            return;
        }
        var owner = $"{service.Namespace()}/{service.Name()}";
        var spec = service["spec"] as JsonObject ?? [];
        var causes = new List<(string, string)>();
        if (spec.Text("type") != "ExternalName")
        {
            var ip = spec.Text("clusterIP") is { Length: > 0 } given ? given : null;
            if (ip is null)
            {
                ip = await ClaimAnyAsync(IpKeys, owner, () => Ip(FirstIp + 2 + (uint)Random.Shared.Next(IpCount - 3)), cancellationToken).ConfigureAwait(false);
            }
            else if (ip != "None" && current?.PathText("spec.clusterIP") != ip)
            {
                if (!IPAddress.TryParse(ip, out var address) || IpIndex(address) is not (> 0 and < IpCount))
                {
                    causes.Add(("spec.clusterIP", $"Invalid value: \"{ip}\": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12"));
                }
                else if (!await ClaimAsync(IpKeys + ip, owner, cancellationToken).ConfigureAwait(false))
                {
                    causes.Add(("spec.clusterIP", $"Invalid value: \"{ip}\": provided IP is already allocated"));
                }
            }
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
        }
        if (spec.Text("type") is "NodePort" or "LoadBalancer")
        {
            var ports = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i];
                var given = port["nodePort"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : (int?)null;
                if (given is null)
                {
                    port["nodePort"] = int.Parse(await ClaimAnyAsync(PortKeys, owner, () => (FirstPort + Random.Shared.Next(PortCount)).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                }
                else if (given is < FirstPort or >= FirstPort + PortCount)
                {
                    causes.Add(($"spec.ports[{i}].nodePort", $"Invalid value: {given}: provided port is not in the valid range. The range of valid ports is 30000-32767"));
                }
                else if (!await ClaimAsync(PortKeys + given, owner, cancellationToken).ConfigureAwait(false))
                {
                    causes.Add(($"spec.ports[{i}].nodePort", $"Invalid value: {given}: provided port is already allocated"));
                }
                else
                {
                    port["nodePort"] = given;
                }
            }
        }
        if (causes.Count > 0)
        {
            throw ApiError.Invalid("Service", "", service.Name() ?? "", causes);
        }
    }

    /// <summary>Frees what a Service <paramref name="service"/> holds that <paramref name="kept"/> (its next form, if any) does not.</summary>
    public async Task ReleaseAsync(ResourceType type, JsonObject service, JsonObject? kept, CancellationToken cancellationToken)
    {
        if (type != Services)
        {
            return;
        }
        var keep = kept is null ? [] : Held(kept).ToHashSet();
        foreach (var key in Held(service).Where(k => !keep.Contains(k)))
        {
            await store.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = Bytes.Of(key) }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> Held(JsonObject service)
    {
        if (service.PathText("spec.clusterIP") is { } ip && ip != "None")
        {
            yield return IpKeys + ip;
        }
        foreach (var port in ((service["spec"] as JsonObject)?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (port["nodePort"] is JsonValue value)
            {
                yield return PortKeys + value.ToString();
            }
        }
    }

    private async Task<string> ClaimAnyAsync(string prefix, string owner, Func<string> candidate, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 128; attempt++)
        {
            var value = candidate();
            if (await ClaimAsync(prefix + value, owner, cancellationToken).ConfigureAwait(false))
            {
                return value;
            }
        }
        throw new ApiError(500, "InternalError", $"no free address under {prefix} after 128 tries; the range is full");
    }

    /// <summary>Takes <paramref name="key"/> for <paramref name="owner"/>: free, already its, or held by a service that no longer uses it.</summary>
    private async Task<bool> ClaimAsync(string key, string owner, CancellationToken cancellationToken)
    {
        if (await PutIfAsync(key, owner, new Compare { Key = Bytes.Of(key), Target = CompareTarget.Create, Result = CompareResult.Equal, Number = 0 }, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }
        var held = ObjectStore.Check(await store.Kv.RangeAsync(new RangeRequest { Key = Bytes.Of(key) }, cancellationToken).ConfigureAwait(false)).Kvs.FirstOrDefault();
        if (held is null)
        {
            return await ClaimAsync(key, owner, cancellationToken).ConfigureAwait(false);
        }
        var (holder, since) = ParseClaim(Encoding.UTF8.GetString(held.Value));
        if (holder == owner)
        {
            return true;
        }
        if (DateTimeOffset.UtcNow - since < ClaimGrace)
        {
            // A fresh claim may belong to a create still on its way to the store.
            return false;
        }
        var (ns, name) = (holder.Split('/')[0], holder.Split('/').ElementAtOrDefault(1) ?? "");
        var service = await store.GetAsync(Services.KeyOf(ns, name), serializable: false, cancellationToken).ConfigureAwait(false);
        if (service is not null && Held(service.Object).Contains(key))
        {
            return false;
        }
        return await PutIfAsync(key, owner, new Compare { Key = Bytes.Of(key), Target = CompareTarget.Mod, Result = CompareResult.Equal, Number = held.ModRevision }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> PutIfAsync(string key, string owner, Compare compare, CancellationToken cancellationToken) =>
        ObjectStore.Check(await store.Kv.TxnAsync(new TxnRequest
        {
            Compare = [compare],
            Success = [RequestOp.Of(new PutRequest { Key = Bytes.Of(key), Value = Encoding.UTF8.GetBytes($"{owner} {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}") })],
        }, cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>A claim's value: "namespace/name unix-seconds".</summary>
    private static (string Owner, DateTimeOffset Since) ParseClaim(string value) =>
        value.Split(' ') is [var owner, var seconds] && long.TryParse(seconds, CultureInfo.InvariantCulture, out var at)
            ? (owner, DateTimeOffset.FromUnixTimeSeconds(at))
            : (value, DateTimeOffset.MinValue);

    private static string Ip(uint value) => new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();

    private static long IpIndex(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return bytes.Length != 4 ? -1 : (long)(((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3]) - FirstIp;
    }
}

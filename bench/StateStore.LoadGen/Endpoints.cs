using Etcdserverpb;
using Grpc.Net.Client;

namespace StateStore.LoadGen;

/// <summary>One gRPC channel per endpoint, and which member leads (asked with Maintenance.Status).</summary>
internal sealed class Endpoints : IDisposable
{
    private readonly List<(string Url, GrpcChannel Channel)> _members;

    public Endpoints(IEnumerable<string> urls)
    {
        _members = urls.Select(u => (u, GrpcChannel.ForAddress(u, new GrpcChannelOptions { MaxReceiveMessageSize = null }))).ToList();
        foreach (var (url, _) in _members)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !System.Net.IPAddress.TryParse(uri.Host, out var ip) || !System.Net.IPAddress.IsLoopback(ip))
            {
                throw new ArgumentException($"{url}: only loopback endpoints (http://127.x.x.x:port) are allowed");
            }
        }
    }

    public int Count => _members.Count;

    public KV.KVClient Kv(int i) => new(_members[i % _members.Count].Channel);

    public Watch.WatchClient Watch(int i) => new(_members[i % _members.Count].Channel);

    public Maintenance.MaintenanceClient Maintenance(int i) => new(_members[i % _members.Count].Channel);

    public Cluster.ClusterClient Cluster(int i) => new(_members[i % _members.Count].Channel);

    public string Url(int i) => _members[i % _members.Count].Url;

    /// <summary>The index of the member that leads, and each member's id.</summary>
    public async Task<(int Leader, ulong[] Ids)> FindLeaderAsync(CancellationToken cancellationToken)
    {
        var ids = new ulong[_members.Count];
        ulong leader = 0;
        for (var i = 0; i < _members.Count; i++)
        {
            try
            {
                var status = await Maintenance(i).StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                ids[i] = status.Header.MemberId;
                leader = status.Leader;
            }
            catch (Grpc.Core.RpcException)
            {
                // Down: it is not the leader.
            }
        }
        return (leader == 0 ? -1 : Array.IndexOf(ids, leader), ids);
    }

    public void Dispose()
    {
        foreach (var (_, channel) in _members)
        {
            channel.Dispose();
        }
    }
}

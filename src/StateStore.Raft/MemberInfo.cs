using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StateStore.Raft;

/// <summary>
/// A member's identity: its name, peer endpoint and the ids etcd clients see, persisted in the data
/// folder so a folder written by another member or cluster is refused. The member id is derived from
/// the peer endpoint (every member computes every other's id the same way); the cluster id from the
/// initial cluster, as etcd derives them — a member that joins later learns it from the leader.
/// </summary>
internal sealed class MemberInfo
{
    private long _clusterId;

    private MemberInfo(string name, string peer, ulong clusterId)
    {
        Name = name;
        Peer = peer;
        MemberId = IdOf(peer);
        _clusterId = (long)clusterId;
    }

    public string Name { get; }

    /// <summary>The peer endpoint as text ("127.0.0.1:2380").</summary>
    public string Peer { get; }

    public ulong MemberId { get; }

    /// <summary>0 until a joining member has learned it.</summary>
    public ulong ClusterId => (ulong)Volatile.Read(ref _clusterId);

    public static ulong IdOf(EndPoint peer) => IdOf(peer.ToString()!);

    private static ulong IdOf(string peer) => Hash($"member|{peer}");

    public static ulong ClusterIdOf(IEnumerable<(string Name, IPEndPoint Peer)> initialCluster) =>
        Hash("cluster|" + string.Join(",", initialCluster.Select(m => $"{m.Name}={m.Peer}").Order(StringComparer.Ordinal)));

    private static ulong Hash(string text) => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);

    /// <summary>
    /// Reads the identity in <paramref name="file"/>, or writes it for a fresh folder. A folder that
    /// belongs to another member or cluster is refused with a message saying whose it is.
    /// </summary>
    public static MemberInfo LoadOrCreate(string file, string name, IPEndPoint peer, ulong clusterId)
    {
        if (!File.Exists(file))
        {
            var created = new MemberInfo(name, peer.ToString(), clusterId);
            created.Save(file);
            return created;
        }
        Stored stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(file)) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new MemberStartException($"{file} is damaged ({e.Message}); refusing to start rather than guess whose data this is");
        }
        if (stored.Name != name || stored.Peer != peer.ToString())
        {
            throw new MemberStartException($"the data folder belongs to member '{stored.Name}' (peer {stored.Peer}), not '{name}' (peer {peer}); refusing to start");
        }
        var storedCluster = ulong.Parse(stored.ClusterId, System.Globalization.NumberStyles.HexNumber);
        if (storedCluster != 0 && clusterId != 0 && storedCluster != clusterId)
        {
            throw new MemberStartException($"the data folder belongs to cluster {storedCluster:x16}, not {clusterId:x16} (a different --initial-cluster); refusing to start");
        }
        return new MemberInfo(stored.Name, stored.Peer, storedCluster);
    }

    /// <summary>Records the cluster id a joining member learned.</summary>
    public void LearnClusterId(ulong clusterId, string file)
    {
        if (clusterId != 0 && Interlocked.CompareExchange(ref _clusterId, (long)clusterId, 0) == 0)
        {
            Save(file);
        }
    }

    private void Save(string file)
    {
        var temp = file + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new Stored(Name, Peer, ClusterId.ToString("x16"))));
        using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, file, overwrite: true);
        Storage.Snapshots.HardLinks.FsyncDirectory(Path.GetDirectoryName(file)!);
    }

    private sealed record Stored(string Name, string Peer, string ClusterId);
}

/// <summary>The member cannot start: its data folder or flags do not fit together.</summary>
public sealed class MemberStartException(string message) : Exception(message);

using System.Net;
using DotNext.Buffers;
using DotNext.Net;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace StateStore.Raft.Membership;

/// <summary>
/// The cluster's membership (peer endpoints), persisted in one file of the member's data folder.
/// Seeded once with the initial cluster; later changes arrive as Raft configuration entries.
/// </summary>
internal sealed class EndPointConfigurationStorage(string file) : PersistentClusterConfigurationStorage<EndPoint>(file)
{
    protected override IEqualityComparer<EndPoint> Comparer => EqualityComparer<EndPoint>.Default;

    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer) => EndPointFormatter.WriteEndPoint(ref writer, address);

    protected override EndPoint Decode(ref SequenceReader reader) => EndPointFormatter.ReadEndPoint(ref reader);

    /// <summary>Opens the file, seeding it with <paramref name="initialMembers"/> when it does not exist yet.</summary>
    public static async Task<EndPointConfigurationStorage> OpenAsync(string file, IEnumerable<EndPoint>? initialMembers, CancellationToken cancellationToken)
    {
        var storage = new EndPointConfigurationStorage(file);
        if (initialMembers is not null && !File.Exists(file))
        {
            IClusterConfiguration<EndPoint> configuration = await ((IClusterConfigurationStorage<EndPoint>)storage).LoadConfigurationAsync(cancellationToken).ConfigureAwait(false);
            foreach (var member in initialMembers)
            {
                configuration = configuration.Add(member);
            }
            await ((IClusterConfigurationStorage)storage).SaveConfigurationAsync(configuration, 0L, cancellationToken).ConfigureAwait(false);
        }
        return storage;
    }
}

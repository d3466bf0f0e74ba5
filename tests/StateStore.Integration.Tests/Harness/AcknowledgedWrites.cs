namespace StateStore.Integration.Tests.Harness;

/// <summary>Checks that what a <see cref="Writer"/> was told is durable is there, on every member.</summary>
public static class AcknowledgedWrites
{
    /// <summary>
    /// The acknowledged writes <paramref name="member"/> does not hold as acknowledged: key absent, another
    /// value, or created after the revision the acknowledgement named (the write was lost and only a later
    /// retry of it survived). A key is written by one writer task with one value only, so a later version of it
    /// can only be the same put applied again.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MissingOnAsync(ServerProcess member, IReadOnlyList<AcknowledgedWrite> acknowledged, string prefix, CancellationToken cancellationToken)
    {
        var held = await ProcessCluster.ReadPrefixAsync(member, prefix, cancellationToken);
        var missing = new List<string>();
        foreach (var write in acknowledged)
        {
            if (!held.TryGetValue(write.Key, out var kv))
            {
                missing.Add($"{write.Key} (acknowledged at revision {write.Revision}) is absent");
            }
            else if (kv.Value.ToStringUtf8() != write.Value)
            {
                missing.Add($"{write.Key} holds '{kv.Value.ToStringUtf8()}', not the acknowledged '{write.Value}'");
            }
            else if (kv.CreateRevision > write.Revision)
            {
                missing.Add($"{write.Key} was created at revision {kv.CreateRevision}, after the acknowledged revision {write.Revision}");
            }
        }
        return missing;
    }

    /// <summary>
    /// Waits until all members hold the same revision and hash, then asserts each holds every acknowledged
    /// write. Returns the common revision and hash.
    /// </summary>
    public static async Task<Converged> AssertConvergedAndDurableAsync(ProcessCluster cluster, WriteReport report, ITestOutputHelper output, CancellationToken cancellationToken, string prefix = "w/")
    {
        var converged = await cluster.WaitConvergedAsync(cancellationToken);
        output.WriteLine($"converged at revision {converged.Revision}, hash {converged.Hash:x8}");
        foreach (var member in cluster.Members)
        {
            var missing = await MissingOnAsync(member, report.Acknowledged, prefix, cancellationToken);
            Assert.True(missing.Count == 0,
                $"{member.Name} lacks {missing.Count} of {report.Acknowledged.Count} acknowledged writes, e.g.:\n  {string.Join("\n  ", missing.Take(10))}");
        }
        return converged;
    }
}

using Etcdserverpb;
using Google.Protobuf;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>An operator's mistakes: the wrong data folder, a misspelt flag, founding flags on a cluster that exists.</summary>
public sealed class BadStateTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(90))
{
    [Fact]
    public Task A_member_started_on_another_members_data_folder_refuses_and_names_the_owner() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync(new ClusterOptions { Size = 1 });
        var owner = cluster.Members[0];
        await owner.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("owned"), Value = ByteString.CopyFromUtf8("yes") }, cancellationToken: Timeout);
        Assert.Equal(0, await owner.StopAsync(Timeout));

        var intruder = MemberConfig.Allocate("intruder", owner.Config.DataDirectory);
        var server = await NewServerAsync(intruder, intruder.Flags, "intruder");
        server.Launch();
        var exitCode = await server.WaitForExitAsync(Timeout);
        var log = server.CurrentRunLog();
        Output.WriteLine(log);
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"'{owner.Name}'", log);

        // The refused start changed nothing: the owner starts on its folder and still holds its data.
        await owner.RestartAsync(Timeout);
        var read = await owner.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("owned") }, cancellationToken: Timeout);
        Assert.Equal("yes", Assert.Single(read.Kvs).Value.ToStringUtf8());
    });

    [Fact]
    public Task An_unknown_flag_exits_with_code_2_naming_the_flag_and_creates_nothing() => RunAsync(async () =>
    {
        var config = MemberConfig.Allocate("m0", Path.Combine(DataFolder, "m0"));
        var server = await NewServerAsync(config, [.. config.Flags, "--no-such-flag", "1"], "m0");
        server.Launch();
        var exitCode = await server.WaitForExitAsync(Timeout);
        var log = server.CurrentRunLog();
        Output.WriteLine(log);
        Assert.Equal(2, exitCode);
        Assert.Contains("--no-such-flag", log);
        Assert.False(Directory.Exists(config.DataDirectory), "the data folder was created although the command line was refused");
    });

    [Fact]
    public Task Restarting_a_cluster_with_initial_cluster_state_new_keeps_its_data() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        // One put at a time, none abandoned: nothing can still land after the members are compared.
        var written = new List<AcknowledgedWrite>();
        for (var i = 0; i < 100; i++)
        {
            var (key, value) = ($"w/{i:D3}", $"v{i}");
            var put = await cluster.Members[i % 3].Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) }, cancellationToken: Timeout);
            written.Add(new AcknowledgedWrite(key, value, put.Header.Revision, TimeSpan.Zero, TimeSpan.Zero));
        }
        var report = new WriteReport(written, [], new Dictionary<string, int>());
        var before = await cluster.WaitConvergedAsync(Timeout);

        foreach (var member in cluster.Members)
        {
            Assert.Equal(0, await member.StopAsync(Timeout));
        }
        foreach (var member in cluster.Members)
        {
            member.Launch(["--initial-cluster-state", "new"]);
        }
        await cluster.WaitAllReadyAsync(Timeout);

        var after = await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, report, Output, Timeout);
        Assert.Equal(before, after);
    });
}

using System.Globalization;
using System.Text.RegularExpressions;
using Etcdserverpb;
using Google.Protobuf;
using StateStore.Integration.Tests.Harness;
using StateStore.Testing.Processes;

namespace StateStore.Integration.Tests;

/// <summary>
/// /metrics on real members, read as a Prometheus scraper reads it (HTTP/1.1, the API URL): etcd's names say who
/// leads, how far the log is committed and applied, how long WAL flushes take, and follow a new leader after the old
/// one is killed.
/// </summary>
public sealed partial class MetricsTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(120))
{
    private const int Puts = 20;

    [Fact]
    public Task Metrics_report_the_leader_the_commits_and_the_wal_flushes_and_follow_a_new_leader() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.LeaderAsync(Timeout);
        for (var i = 0; i < Puts; i++)
        {
            await leader.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"metrics/{i}"), Value = ByteString.CopyFromUtf8("v") }, cancellationToken: Timeout);
        }
        var converged = await cluster.WaitConvergedAsync(Timeout);
        using var http = new HttpClient();
        var seen = new Dictionary<string, double>();
        foreach (var member in cluster.Members)
        {
            var samples = await ScrapeAsync(http, member);
            Assert.Equal(1, samples["etcd_server_has_leader"]);
            Assert.Equal(member == leader ? 1 : 0, samples["etcd_server_is_leader"]);
            Assert.Equal(converged.Revision, samples["etcd_debugging_mvcc_current_revision"]);
            Assert.InRange(samples["etcd_server_proposals_committed_total"], Puts, double.MaxValue);
            Assert.InRange(samples["etcd_server_proposals_applied_total"], Puts, samples["etcd_server_proposals_committed_total"]);
            // Every member flushed its WAL for the puts; the +Inf bucket counts every flush.
            Assert.InRange(samples["etcd_disk_wal_fsync_duration_seconds_count"], 1, double.MaxValue);
            Assert.Equal(samples["etcd_disk_wal_fsync_duration_seconds_count"], samples["etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"}"]);
            Assert.InRange(samples["etcd_disk_wal_fsync_duration_seconds_sum"], double.Epsilon, double.MaxValue);
            Assert.InRange(samples["process_resident_memory_bytes"], 1 << 20, double.MaxValue);
            seen[member.Name] = samples["etcd_server_leader_changes_seen_total"];
        }

        await leader.KillAsync();
        var next = await cluster.LeaderAsync(Timeout);
        foreach (var survivor in cluster.Members.Where(m => m != leader))
        {
            var samples = await ScrapeAsync(http, survivor);
            while (samples["etcd_server_leader_changes_seen_total"] <= seen[survivor.Name] || samples["etcd_server_has_leader"] != 1)
            {
                await Task.Delay(100, Timeout);
                samples = await ScrapeAsync(http, survivor);
            }
            Assert.Equal(survivor == next ? 1 : 0, samples["etcd_server_is_leader"]);
        }
    });

    /// <summary>The samples of one scrape by name (with labels); fails on a line that is not Prometheus text.</summary>
    private async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http, ServerProcess member)
    {
        using var response = await http.GetAsync($"{member.Config.ApiUrl}/metrics", Timeout);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var samples = new Dictionary<string, double>();
        foreach (var line in (await response.Content.ReadAsStringAsync(Timeout)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                continue;
            }
            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a Prometheus sample line: {line}");
            samples.Add(sample.Groups["name"].Value, double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"\})?) (?<value>[-+0-9.eE]+|NaN|[+-]Inf)$""")]
    private static partial Regex Sample();
}

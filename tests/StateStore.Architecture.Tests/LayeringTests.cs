using System.Xml.Linq;

namespace StateStore.Architecture.Tests;

/// <summary>
/// Keeps DESIGN.md's picture true: dependencies point down (Storage knows no one, Raft knows
/// Storage, front doors know only the IKvStore contract, agents only the Kubernetes API), and
/// nothing references an executable.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Each src project and the src projects it may reference. A new project must be placed here.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["StateStore.Abstractions"] = [],
        ["StateStore.Storage"] = ["StateStore.Abstractions"],
        ["StateStore.Raft"] = ["StateStore.Abstractions", "StateStore.Storage"],
        ["StateStore.EtcdApi"] = ["StateStore.Abstractions"],
        ["StateStore.ApiServer"] = ["StateStore.Abstractions"],
        ["StateStore.Scheduler"] = [],
        ["StateStore.Controllers"] = [],
        ["StateStore.Kubelet"] = [],
        ["StateStore.Proxy"] = [],
        // The composition of a control-plane member, split from the executable so tests can host members in-process.
        ["StateStore.Server"] = ["StateStore.Abstractions", "StateStore.Storage", "StateStore.Raft", "StateStore.EtcdApi", "StateStore.ApiServer"],
        ["StateStore.Cli"] = ["StateStore.Abstractions", "StateStore.Storage", "StateStore.Raft", "StateStore.EtcdApi", "StateStore.ApiServer",
            "StateStore.Server", "StateStore.Scheduler", "StateStore.Controllers", "StateStore.Kubelet", "StateStore.Proxy"],
    };

    [Fact]
    public void Every_src_project_has_a_place_in_the_design()
    {
        var unplaced = Projects("src").Select(p => p.Name).Where(name => !Allowed.ContainsKey(name)).ToList();
        Assert.True(unplaced.Count == 0, $"Place these projects in LayeringTests.Allowed (and DESIGN.md): {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void Src_projects_reference_only_layers_below_them()
    {
        var violations =
            from project in Projects("src")
            where Allowed.ContainsKey(project.Name)
            from reference in project.References
            where !Allowed[project.Name].Contains(reference)
            select $"{project.Name} → {reference}";
        Assert.Empty(violations);
    }

    [Fact]
    public void Nothing_references_an_executable()
    {
        var all = Projects("src").Concat(Projects("tests")).Concat(Projects("bench")).Concat(Projects("jepsen-style")).ToList();
        var executables = all.Where(p => p.IsExecutable).Select(p => p.Name).ToHashSet();
        var violations =
            from project in all
            from reference in project.References
            where executables.Contains(reference)
            select $"{project.Name} → {reference}";
        Assert.Empty(violations);
    }

    [Fact]
    public void The_layer_table_sees_the_real_projects()
    {
        // Guards the guard: if the repository root were not found, the tests above would pass vacuously.
        var storage = Assert.Single(Projects("src"), p => p.Name == "StateStore.Storage");
        Assert.Contains("StateStore.Abstractions", storage.References);
    }

    private sealed record Project(string Name, IReadOnlyList<string> References, bool IsExecutable);

    private static IEnumerable<Project> Projects(string folder)
    {
        var root = Path.Combine(RepositoryRoot(), folder);
        if (!Directory.Exists(root))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories))
        {
            var xml = XDocument.Load(file);
            var references = xml.Descendants("ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToList();
            var outputType = xml.Descendants("OutputType").Select(e => e.Value).FirstOrDefault();
            yield return new Project(Path.GetFileNameWithoutExtension(file), references, string.Equals(outputType, "Exe", StringComparison.OrdinalIgnoreCase));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StateStore.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("StateStore.sln not found above " + AppContext.BaseDirectory);
    }
}

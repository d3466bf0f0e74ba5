using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// A fact that needs a real command-line tool, reported as skipped (saying how to get it) where the tool is missing.
/// test.sh installs or extracts each one, so only a run outside test.sh skips.
/// </summary>
public abstract class RequiresToolFactAttribute : FactAttribute
{
    protected RequiresToolFactAttribute(string? path, string missingReason)
    {
        if (path is null)
        {
            Skip = missingReason;
        }
    }
}

/// <summary>Needs etcdctl (3.4, Debian's etcd-client) on PATH.</summary>
public sealed class RequiresEtcdctlFactAttribute : RequiresToolFactAttribute
{
    public RequiresEtcdctlFactAttribute()
        : base(Etcdctl.BinaryPath, Etcdctl.MissingReason)
    {
    }

    /// <summary>Also opt-in, as <see cref="OptInFactAttribute"/>: runs only when <paramref name="variable"/> is "1".</summary>
    public RequiresEtcdctlFactAttribute(string variable, string why)
        : this()
    {
        if (Environment.GetEnvironmentVariable(variable) != "1")
        {
            Skip = $"{why} (runs only with {variable}=1)";
        }
    }
}

/// <summary>Needs the machine's kubectl on PATH.</summary>
public sealed class RequiresKubectlFactAttribute() : RequiresToolFactAttribute(Kubectl.BinaryPath, Kubectl.MissingReason);

/// <summary>Needs Debian's kubectl 1.20 (extracted by test.sh).</summary>
public sealed class RequiresKubectl120FactAttribute() : RequiresToolFactAttribute(Kubectl.Legacy120Path, Kubectl.Missing120Reason);

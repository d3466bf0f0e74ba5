using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// A fact that needs the real etcdctl binary on PATH, reported as skipped (with how to install it) where it is
/// missing. test.sh installs it, so only a run outside test.sh skips.
/// </summary>
public sealed class RequiresEtcdctlFactAttribute : FactAttribute
{
    public RequiresEtcdctlFactAttribute()
    {
        if (Etcdctl.BinaryPath is null)
        {
            Skip = Etcdctl.MissingReason;
        }
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

using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>A fact that needs kubectl on PATH, reported as skipped where it is missing.</summary>
public sealed class RequiresKubectlFactAttribute : FactAttribute
{
    public RequiresKubectlFactAttribute()
    {
        if (Kubectl.BinaryPath is null)
        {
            Skip = Kubectl.MissingReason;
        }
    }
}

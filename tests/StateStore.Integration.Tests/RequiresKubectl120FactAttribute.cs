using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>A fact that needs Debian's kubectl 1.20, reported as skipped (saying how to get it) where it is missing.</summary>
public sealed class RequiresKubectl120FactAttribute : FactAttribute
{
    public RequiresKubectl120FactAttribute()
    {
        if (Kubectl.Legacy120Path is null)
        {
            Skip = Kubectl.Missing120Reason;
        }
    }
}

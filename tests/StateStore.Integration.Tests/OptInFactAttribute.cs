namespace StateStore.Integration.Tests;

/// <summary>
/// A fact that runs only when an environment variable is "1", and is reported as skipped (saying which
/// variable) otherwise. xunit 2 cannot skip from inside a running test, so the skip is decided here.
/// </summary>
public sealed class OptInFactAttribute : FactAttribute
{
    public OptInFactAttribute(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) != "1")
        {
            Skip = $"opt-in: runs only with {variable}=1";
        }
    }
}

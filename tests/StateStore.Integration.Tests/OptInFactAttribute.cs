namespace StateStore.Integration.Tests;

/// <summary>
/// A fact that runs only when an environment variable is "1", and is reported as skipped otherwise, with
/// <see cref="Why"/> and the variable that runs it. xunit 2 cannot skip from inside a running test, so the
/// skip is decided here.
/// </summary>
public sealed class OptInFactAttribute : FactAttribute
{
    public OptInFactAttribute(string variable, string why)
    {
        Variable = variable;
        Why = why;
        if (Environment.GetEnvironmentVariable(variable) != "1")
        {
            Skip = $"{why} (runs only with {variable}=1)";
        }
    }

    public string Variable { get; }

    public string Why { get; }
}

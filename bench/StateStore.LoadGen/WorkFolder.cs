namespace StateStore.LoadGen;

/// <summary>The folder a multi-cluster run keeps its members' data and output in: removed when the run succeeds (unless LOADGEN_KEEP is set), kept (and named) when it fails.</summary>
internal static class WorkFolder
{
    public static async Task RunAsync(string name, Func<string, Task> body)
    {
        var work = Path.Combine(Path.GetTempPath(), $"statestore-{name}-{Environment.ProcessId}");
        try
        {
            await body(work);
        }
        catch
        {
            Console.Error.WriteLine($"failed; member data and output kept in {work}");
            throw;
        }
        if (Environment.GetEnvironmentVariable("LOADGEN_KEEP") is { Length: > 0 })
        {
            Console.Error.WriteLine($"member data and output kept in {work} (LOADGEN_KEEP)");
            return;
        }
        Directory.Delete(work, recursive: true);
    }
}

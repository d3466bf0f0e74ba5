using StateStore.Jepsen;
using StateStore.Jepsen.Core.Run;

// The harness's command line. Exit codes: 0 the run passed every check, 1 a check found a violation,
// 2 the harness itself could not run (bad flags, a cluster that would not start).
try
{
    var command = Arguments.Parse(args);
    if (command is null)
    {
        Console.WriteLine(Arguments.Usage);
        return 0;
    }
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    var result = await command(line => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}"), cancel.Token);
    return result;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Arguments.Usage);
    return 2;
}
catch (Exception e) when (e is TimeoutException or InvalidOperationException or OperationCanceledException)
{
    Console.Error.WriteLine($"the harness could not complete the run: {e}");
    return 2;
}

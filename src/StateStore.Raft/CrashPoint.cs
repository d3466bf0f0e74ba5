using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace StateStore.Raft;

/// <summary>
/// A crash failpoint (etcd gofail's <c>panic</c> term): the process dies abruptly the <see cref="At"/>-th time
/// the code passes the point. Named in <c>STATESTORE_FAILPOINTS</c> as <c>NAME</c> (the first hit) or
/// <c>NAME=N</c> (the Nth hit since the process started). The process SIGKILLs itself, so nothing runs after the
/// point: no finally block, no flush, no graceful shutdown of Raft connections, as a crash at that line would leave
/// it. <see cref="Failpoints"/> holds null for a point that is not named, so an unset point costs a null check the
/// JIT folds away (a static readonly field).
/// </summary>
public sealed class CrashPoint
{
    private long _hits;

    private CrashPoint(string name, long at)
    {
        Name = name;
        At = at;
    }

    public string Name { get; }

    /// <summary>Which hit crashes the process (1: the first).</summary>
    public long At { get; }

    /// <summary>Counts a pass through the point and crashes the process on the <see cref="At"/>-th.</summary>
    public void Hit()
    {
        if (Interlocked.Increment(ref _hits) == At)
        {
            Crash();
        }
    }

    /// <summary>The point <paramref name="name"/> as <paramref name="terms"/> configure it, or null when no term names it.</summary>
    internal static CrashPoint? Parse(IEnumerable<string> terms, string name)
    {
        foreach (var term in terms)
        {
            if (term == name)
            {
                return new CrashPoint(name, 1);
            }
            if (term.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return long.TryParse(term.AsSpan(name.Length + 1), out var at) && at > 0
                    ? new CrashPoint(name, at)
                    : throw new ArgumentException($"failpoint {term}: expected {name} or {name}=N with N a positive hit count");
            }
        }
        return null;
    }

    [DoesNotReturn]
    private void Crash()
    {
        // Straight to stderr, not through the logger's queue: the line must be out before the process is.
        Console.Error.WriteLine($"failpoint {Name}: crashing at hit {At} (SIGKILL of this process)");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Environment.FailFast($"failpoint {Name}: SIGKILL of this process returned");
    }
}

using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>
/// What every workload client does around its ops, as in Jepsen: one op at a time, each recorded; after an op that
/// did not answer Ok it moves to the next member and pauses; an Unknown op retires its process (the op may still
/// take effect) and the client goes on as a new process. Values it writes are unique: process and sequence number.
/// </summary>
public abstract class TrafficClient(int client, IReadOnlyList<ServerProcess> members, History history)
{
    private int _sequence;

    protected Random Random { get; } = new(client * 7919 + Environment.TickCount);

    protected IReadOnlyList<ServerProcess> Members => members;

    protected History History => history;

    /// <summary>The member the next op goes to.</summary>
    protected int Member { get; private set; } = client % members.Count;

    protected int Process { get; private set; } = -1;

    /// <summary>Runs until <paramref name="stop"/>; an op in flight then is finished (within its deadline), not abandoned.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        Process = history.NextProcess();
        while (!stop.IsCancellationRequested)
        {
            var op = await InvokeAsync();
            history.Add(op);
            if (op.Outcome != Outcome.Ok)
            {
                if (op.Outcome == Outcome.Unknown)
                {
                    Process = history.NextProcess();
                }
                Member = (Member + 1) % members.Count;
                await Task.Delay(Random.Next(100, 400), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        Stopped();
    }

    /// <summary>A value no other write of the run has.</summary>
    protected string NextValue() => $"{Process}-{_sequence++}";

    /// <summary>
    /// The next op's type, by the options' mix: read, write, delete, else Cas. A compare (Cas, or a delete made a
    /// compare-and-delete half the time) needs a value the client last saw: without one, a Cas becomes a write and
    /// a delete stays plain.
    /// </summary>
    protected OpType NextType(TrafficOptions options, bool canCompare)
    {
        var roll = Random.Next(100);
        return roll < options.ReadPercent ? OpType.Read
            : roll < options.ReadPercent + options.WritePercent ? OpType.Write
            : roll < options.ReadPercent + options.WritePercent + options.DeletePercent ? (canCompare && Random.Next(2) == 0 ? OpType.CompareAndDelete : OpType.Delete)
            : canCompare ? OpType.Cas : OpType.Write;
    }

    /// <summary>A new op of this process on <paramref name="key"/>, invoked now on the current member, Unknown until it answers; a write or Cas puts a fresh value.</summary>
    protected Operation Invoke(OpType type, string key, string? expected) => new()
    {
        Id = history.NextId(),
        Process = Process,
        Type = type,
        Key = key,
        Value = type is OpType.Write or OpType.Cas ? NextValue() : null,
        Expected = type is OpType.Cas or OpType.CompareAndDelete ? expected : null,
        InvokeNs = history.NowNs,
        Outcome = Outcome.Unknown,
        Member = members[Member].Name,
    };

    /// <summary>Sends one op and answers it as it ended.</summary>
    protected abstract Task<Operation> InvokeAsync();

    /// <summary>Called once the client has stopped (to let go of connections).</summary>
    protected virtual void Stopped()
    {
    }
}

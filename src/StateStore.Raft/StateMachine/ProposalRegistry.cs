using StateStore.Raft.Commands;

namespace StateStore.Raft.StateMachine;

/// <summary>
/// Proposals waiting for their entry to be applied on this member, by request id. The leader that
/// proposes also passes the proposal as the entry's context; the registry covers the case where
/// leadership moved and the entry was committed by another leader, so only the id finds it.
/// </summary>
internal sealed class ProposalRegistry
{
    private readonly Dictionary<RequestId, Proposal> _waiting = [];
    private readonly ulong _boot = (ulong)Random.Shared.NextInt64() | 1;
    private long _sequence;

    public Proposal Register()
    {
        var proposal = new Proposal(new RequestId(_boot, Interlocked.Increment(ref _sequence)));
        lock (_waiting)
        {
            _waiting.Add(proposal.Id, proposal);
        }
        return proposal;
    }

    public void Forget(Proposal proposal)
    {
        lock (_waiting)
        {
            _waiting.Remove(proposal.Id);
        }
    }

    /// <summary>Hands an applied entry's result to its waiting proposal, if this member has one.</summary>
    public void Complete(RequestId id, object? context, object result)
    {
        if (context is Proposal local && local.Id == id)
        {
            local.Complete(result);
        }
        if (id.Boot != _boot)
        {
            return;
        }
        Proposal? waiting;
        lock (_waiting)
        {
            _waiting.Remove(id, out waiting);
        }
        waiting?.Complete(result);
    }

    /// <summary>Fails every waiting proposal: the member is stopping.</summary>
    public void CancelAll()
    {
        List<Proposal> all;
        lock (_waiting)
        {
            all = [.. _waiting.Values];
            _waiting.Clear();
        }
        foreach (var proposal in all)
        {
            proposal.Cancel();
        }
    }
}

/// <summary>One write waiting for its result.</summary>
internal sealed class Proposal(RequestId id)
{
    private readonly TaskCompletionSource<object?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RequestId Id { get; } = id;

    /// <summary>The apply result, or null when the member stopped first.</summary>
    public Task<object?> Result => _result.Task;

    public void Complete(object result) => _result.TrySetResult(result);

    public void Cancel() => _result.TrySetResult(null);
}

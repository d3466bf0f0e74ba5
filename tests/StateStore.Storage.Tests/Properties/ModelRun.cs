using StateStore.Kv;
using StateStore.Testing;
using StateStore.Testing.Model;
using Xunit.Sdk;

namespace StateStore.Storage.Tests.Properties;

/// <summary>
/// Runs one command sequence against a real <see cref="MvccStore"/> and a <see cref="ModelKvStore"/> side by
/// side and fails at the first answer that differs. Restarts reopen the store from its directory; the
/// model is restored from its copy taken at the last checkpoint when the store is expected to roll back.
/// </summary>
public sealed class ModelRun : IDisposable
{
    private readonly TempDirectory _dir = new("model-prop");
    private readonly List<string> _log = [];
    private readonly MvccStoreOptions _options;
    private ModelKvStore? _checkpointedModel;
    private HashRecord? _checkpointedHashes;
    private long _checkpointedIndex;

    /// <param name="watcherQueueLimit">A small limit sends watchers through the store's catch-up-from-storage path.</param>
    public ModelRun(int? watcherQueueLimit = null)
    {
        _options = MvccStoreOptions.ForTests(_dir.Path);
        if (watcherQueueLimit is { } limit)
        {
            _options = _options with { WatcherQueueLimit = limit };
        }
        Store = MvccStore.Open(_options);
    }

    public MvccStore Store { get; private set; }

    public ModelKvStore Model { get; private set; } = new();

    public bool StoreOpen { get; private set; } = true;

    /// <summary>Hashes seen so far, one record each for the store and the model.</summary>
    private HashRecord Hashes { get; set; } = new();

    /// <summary>Where relative picks resolve now.</summary>
    public Position Position => new(Model.Revision, Model.CompactRevision, Model);

    /// <summary>Caps what <see cref="CompactCommand"/> may compact to (the watch property keeps compaction below its watch).</summary>
    public long? CompactCeiling { get; set; }

    public async Task RunAsync(IReadOnlyList<Command> commands)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            await StepAsync(i, commands[i]);
        }
    }

    public async Task StepAsync(int index, Command command)
    {
        _log.Add($"{index}: {command}");
        try
        {
            await ExecuteAsync(command);
        }
        catch (Exception e) when (e is not XunitException)
        {
            throw new InvalidOperationException($"The store threw at step {index}: {command}{Environment.NewLine}{Trail()}", e);
        }
        Same("status after the step", Describe(await ((IKvStore)Model).StatusAsync()), Describe(new StoreStatus(Store.Revision, Store.CompactRevision)));
    }

    private async Task ExecuteAsync(Command command)
    {
        IKvStore store = Store;
        switch (command)
        {
            case PutCommand put:
                Same("put", ResultText.Of(await Model.PutAsync(put.ToRequest())), ResultText.Of(await store.PutAsync(put.ToRequest())));
                break;
            case BigPutCommand big:
                Same("big put", ResultText.Of(await Model.PutAsync(big.ToRequest())), ResultText.Of(await store.PutAsync(big.ToRequest())));
                break;
            case DeleteCommand delete:
                Same("delete", ResultText.Of(await Model.DeleteRangeAsync(delete.ToRequest())), ResultText.Of(await store.DeleteRangeAsync(delete.ToRequest())));
                break;
            case RangeCommand range:
                var rangeRequest = range.ToRequest(Position);
                Same($"range at {rangeRequest.Revision}", ResultText.Of(await Model.RangeAsync(rangeRequest)), ResultText.Of(await store.RangeAsync(rangeRequest)));
                break;
            case TxnCommand txn:
                var txnRequest = txn.ToRequest(Position);
                Same("txn", ResultText.Of(await Model.TxnAsync(txnRequest)), ResultText.Of(await store.TxnAsync(txnRequest)));
                break;
            case BigTxnCommand big:
                Same("big txn", ResultText.Of(await Model.TxnAsync(big.ToRequest())), ResultText.Of(await store.TxnAsync(big.ToRequest())));
                break;
            case ManyOpsCommand many:
                Same("txn with many ops", ResultText.Of(await Model.TxnAsync(many.ToRequest())), ResultText.Of(await store.TxnAsync(many.ToRequest())));
                break;
            case LeaseCommand { Revoke: false } grant:
                var grantRequest = new LeaseGrantRequest { Id = grant.Id, Ttl = 3600 };
                Same("lease grant", ResultText.Of(await Model.LeaseGrantAsync(grantRequest)), ResultText.Of(await store.LeaseGrantAsync(grantRequest)));
                await SameLeasesAsync(store);
                break;
            case LeaseCommand revoke:
                var revokeRequest = new LeaseRevokeRequest(revoke.Id);
                Same("lease revoke", ResultText.Of(await Model.LeaseRevokeAsync(revokeRequest)), ResultText.Of(await store.LeaseRevokeAsync(revokeRequest)));
                await SameLeasesAsync(store);
                break;
            case CompactCommand compact:
                var target = compact.Revision.Resolve(Position);
                if (CompactCeiling is { } ceiling)
                {
                    target = Math.Min(target, ceiling);
                }
                var compactRequest = new CompactRequest { Revision = target, Physical = true };
                Same($"compact to {target}", ResultText.Of(await Model.CompactAsync(compactRequest)), ResultText.Of(await store.CompactAsync(compactRequest)));
                break;
            case HashKvCommand hash:
                await HashAsync(hash.Revision.Resolve(Position));
                break;
            case CheckpointCommand checkpoint:
                _checkpointedIndex += 1 + _checkpointedIndex % 7;
                await Store.CheckpointAsync(_checkpointedIndex);
                _checkpointedModel = Model.Clone();
                _checkpointedHashes = Hashes.Clone();
                if (checkpoint.Restart)
                {
                    Reopen();
                }
                break;
            case RestartCommand:
                Reopen();
                Model = _checkpointedModel?.Clone() ?? new ModelKvStore();
                Hashes = _checkpointedHashes?.Clone() ?? new HashRecord();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command, "unknown command");
        }
    }

    private async Task SameLeasesAsync(IKvStore store) =>
        Same("leases", ResultText.Of(await Model.LeaseLeasesAsync()), ResultText.Of(await store.LeaseLeasesAsync()));

    private async Task HashAsync(long revision)
    {
        var expected = await Model.HashKvAsync(revision);
        var actual = await ((IKvStore)Store).HashKvAsync(revision);
        Same($"hashkv at {revision}", ResultText.Of(expected), ResultText.Of(actual));
        if (!actual.IsOk)
        {
            return;
        }
        var at = revision <= 0 ? Model.Revision : revision;
        var storeProblem = Hashes.Store.Record(at, actual.Value.CompactRevision, actual.Value.Hash);
        Check(storeProblem.Length == 0, $"store hashkv at {at}: {storeProblem}");
        var modelProblem = Hashes.Model.Record(at, expected.Value.CompactRevision, expected.Value.Hash);
        Check(modelProblem.Length == 0, $"model hashkv at {at}: {modelProblem}");
    }

    private void Reopen()
    {
        CloseStore();
        Store = MvccStore.Open(_options);
        StoreOpen = true;
        Same("checkpointed index after reopening", _checkpointedIndex.ToString(), Store.CheckpointedIndex.ToString());
    }

    /// <summary>Closes the store (ending its watches); a later <see cref="Dispose"/> does not close it again.</summary>
    public void CloseStore()
    {
        if (StoreOpen)
        {
            StoreOpen = false;
            Store.Dispose();
        }
    }

    public void Dispose()
    {
        CloseStore();
        Model.Dispose();
        _dir.Dispose();
    }

    /// <summary>Fails with the step trail when the model's answer and the store's differ.</summary>
    public void Same(string what, string expected, string actual)
    {
        if (expected != actual)
        {
            Fail($"{what} differs{Environment.NewLine}  model: {expected}{Environment.NewLine}  store: {actual}");
        }
    }

    public void Check(bool condition, string message)
    {
        if (!condition)
        {
            Fail(message);
        }
    }

    public void Fail(string message) => throw new XunitException($"{message}{Environment.NewLine}{Trail()}");

    private string Trail() => "after steps:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", _log);

    private static string Describe(StoreStatus status) => $"revision {status.Revision}, compacted {status.CompactRevision}";

    /// <summary>The hashes one store answered, per (revision, compaction point), since its history last rolled back.</summary>
    private sealed class HashRecord
    {
        public HashLog Store { get; private init; } = new();

        public HashLog Model { get; private init; } = new();

        public HashRecord Clone() => new() { Store = Store.Clone(), Model = Model.Clone() };
    }

    /// <summary>
    /// Same history and compaction point → same hash; a different revision at the same compaction
    /// point hashes different versions (every revision above 1 wrote something), so almost surely
    /// a different hash.
    /// </summary>
    private sealed class HashLog
    {
        private readonly Dictionary<(long Revision, long Compacted), uint> _seen = [];

        /// <summary>Remembers the hash; returns what is wrong with it, or "".</summary>
        public string Record(long revision, long compacted, uint hash)
        {
            var problem = Explain(revision, compacted, hash);
            _seen[(revision, compacted)] = hash;
            return problem;
        }

        private string Explain(long revision, long compacted, uint hash)
        {
            if (_seen.TryGetValue((revision, compacted), out var before) && before != hash)
            {
                return $"was {before:x8}, now {hash:x8} with the same history";
            }
            var clash = _seen.FirstOrDefault(e => e.Key.Compacted == compacted && e.Key.Revision != revision && e.Value == hash);
            return clash.Key.Revision != 0 ? $"{hash:x8} equals the hash at revision {clash.Key.Revision}" : "";
        }

        public HashLog Clone()
        {
            var copy = new HashLog();
            foreach (var (key, value) in _seen)
            {
                copy._seen[key] = value;
            }
            return copy;
        }
    }
}

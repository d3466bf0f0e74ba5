using FsCheck;
using FsCheck.Fluent;
using StateStore.Kv;

namespace StateStore.Storage.Tests.Properties;

/// <summary>
/// Random command sequences over a small key alphabet, so keys collide and ranges cut between them:
/// prefixes of each other ("a", "ab", "abc"), keys around the 0x00 and 0xff edges, and "\xff\xff" that
/// no prefix range end can cover.
/// </summary>
public static class Generators
{
    private static readonly string[] Keys = ["\0", "a", "ab", "abc", "b", "b\0", "b\xff", "c", "\xff", "\xff\xff"];

    private static Gen<string> Key => Gen.Elements(Keys);

    /// <summary>Mostly valid keys, now and then the empty one.</summary>
    private static Gen<string> KeyOrEmpty => Gen.Frequency((60, Key), (1, Gen.Constant("")));

    /// <summary>No range end (the key alone), "\0" (everything from the key), another key, or the key's prefix end.</summary>
    private static Gen<(string Key, string? End)> KeyRange =>
        from key in KeyOrEmpty
        from end in Gen.Frequency(
            (6, Gen.Constant<string?>(null)),
            (2, Gen.Constant<string?>("\0")),
            (4, Key.Select(k => (string?)k)),
            (2, Gen.Constant<string?>(Latin1(Bytes.PrefixEnd(Properties.Command.B(key))))))
        select (key, end);

    private static Gen<string> Value =>
        Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.Elements('\0', 'x', 'y', '\xff'), n)).Select(chars => new string(chars));

    private static Gen<long> Lease => Gen.Elements(0L, 0L, 0L, 1L, 7L);

    private static Gen<bool> Rarely => Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)));

    private static Gen<RevisionPick> Revision =>
        from kind in Gen.Frequency(
            (8, Gen.Constant(RevisionKind.Current)),
            (1, Gen.Constant(RevisionKind.Negative)),
            (6, Gen.Constant(RevisionKind.Back)),
            (2, Gen.Constant(RevisionKind.AtCompaction)),
            (2, Gen.Constant(RevisionKind.BelowCompaction)),
            (2, Gen.Constant(RevisionKind.Future)),
            (2, Gen.Constant(RevisionKind.Absolute)))
        from n in Gen.Choose(0, kind == RevisionKind.Absolute ? 30 : 4)
        select new RevisionPick(kind, n);

    private static Gen<RevisionPick?> Filter =>
        Gen.Frequency((6, Gen.Constant<RevisionPick?>(null)), (1, Gen.Choose(0, 8).Select(n => (RevisionPick?)new RevisionPick(RevisionKind.Back, n))));

    public static Gen<PutCommand> Put =>
        from key in KeyOrEmpty
        from value in Value
        from lease in Lease
        from prevKv in Gen.Elements(false, true)
        from ignoreValue in Rarely
        from ignoreLease in Rarely
        // Mostly well-formed ignore_* puts; sometimes a value or lease alongside, which is an error.
        from keepValue in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        select new PutCommand(key, ignoreValue && keepValue ? "" : value, ignoreLease && keepValue ? 0 : lease, prevKv, ignoreValue, ignoreLease);

    public static Gen<DeleteCommand> Delete =>
        from range in KeyRange
        from prevKv in Gen.Elements(false, true)
        select new DeleteCommand(range.Key, range.End, prevKv);

    public static Gen<RangeCommand> Range =>
        from range in KeyRange
        from revision in Revision
        from limit in Gen.Frequency((3, Gen.Constant(0L)), (1, Gen.Choose(1, 4).Select(n => (long)n)))
        from order in Gen.Frequency((3, Gen.Constant(SortOrder.None)), (1, Gen.Constant(SortOrder.Ascend)), (1, Gen.Constant(SortOrder.Descend)))
        from target in Gen.Frequency(
            (4, Gen.Constant(SortTarget.Key)),
            (1, Gen.Elements(SortTarget.Version, SortTarget.Create, SortTarget.Mod, SortTarget.Value)))
        from keysOnly in Rarely
        from countOnly in Rarely
        from minMod in Filter
        from maxMod in Filter
        from minCreate in Filter
        from maxCreate in Filter
        select new RangeCommand(range.Key, range.End, revision, limit, order, target, keysOnly, countOnly, minMod, maxMod, minCreate, maxCreate);

    public static Gen<CompareSpec> Compare =>
        from range in KeyRange
        from target in Gen.Elements(CompareTarget.Version, CompareTarget.Create, CompareTarget.Mod, CompareTarget.Value, CompareTarget.Lease)
        from result in Gen.Elements(CompareResult.Equal, CompareResult.Greater, CompareResult.Less, CompareResult.NotEqual)
        from relative in Gen.Elements(false, true, true)
        from n in relative ? Gen.Choose(-1, 1) : Gen.Choose(0, 12)
        from value in Gen.Frequency((1, Gen.Constant<string?>(null)), (1, Value.Select(v => (string?)v)))
        select new CompareSpec(range.Key, range.End, target, result, new NumberPick(relative, n), value);

    /// <summary>A txn nested at most <paramref name="depth"/> deep.</summary>
    public static Gen<TxnCommand> Txn(int depth)
    {
        var op = depth <= 0
            ? Gen.Frequency((4, Put.Select(c => (Command)c)), (2, Delete.Select(c => (Command)c)), (2, Range.Select(c => (Command)c)))
            : Gen.Frequency(
                (4, Put.Select(c => (Command)c)),
                (2, Delete.Select(c => (Command)c)),
                (2, Range.Select(c => (Command)c)),
                (1, Gen.Fresh(() => Txn(depth - 1)).SelectMany(g => g).Select(c => (Command)c)));
        return
            from compareCount in Gen.Choose(0, 3)
            from compares in Gen.ListOf(Compare, compareCount)
            from successCount in Gen.Choose(0, 4)
            from success in Gen.ListOf(op, successCount)
            from failureCount in Gen.Choose(0, 3)
            from failure in Gen.ListOf(op, failureCount)
            select new TxnCommand(compares.ToList(), success.ToList(), failure.ToList());
    }

    private static Gen<Command> Big => Gen.OneOf(
        from key in Key from excess in Gen.Elements(-1, 0, 1) select (Command)new BigPutCommand(key, excess),
        Gen.Elements(true, false).Select(tooLarge => (Command)new BigTxnCommand(tooLarge)),
        from count in Gen.Elements(128, 129) from place in Gen.Choose(0, 3) select (Command)new ManyOpsCommand(count, place));

    /// <summary>
    /// Any command; <paramref name="restarts"/> adds the checkpoint/restart ones, <paramref name="big"/> the
    /// size limit ones; <paramref name="writes"/> weighs writes and compaction over reads.
    /// </summary>
    public static Gen<Command> AnyCommand(bool restarts, bool big, bool writes = false)
    {
        var gens = new List<(int, Gen<Command>)>
        {
            (writes ? 40 : 30, Put.Select(c => (Command)c)),
            (writes ? 15 : 10, Delete.Select(c => (Command)c)),
            (writes ? 3 : 20, Range.Select(c => (Command)c)),
            (writes ? 25 : 20, Txn(2).Select(c => (Command)c)),
            (writes ? 8 : 5, Revision.Select(r => (Command)new CompactCommand(r))),
            (writes ? 6 : 4, from id in Gen.Elements(1L, 7L) from revoke in Gen.Elements(false, false, true) select (Command)new LeaseCommand(id, revoke)),
            (writes ? 1 : 4, Revision.Select(r => (Command)new HashKvCommand(r))),
            (2, Gen.Constant((Command)new CheckpointCommand(Restart: false))),
        };
        if (restarts)
        {
            gens.Add((3, Gen.Constant((Command)new CheckpointCommand(Restart: true))));
            gens.Add((3, Gen.Constant((Command)new RestartCommand())));
        }
        if (big)
        {
            gens.Add((15, Big));
        }
        return Gen.Frequency(gens);
    }

    public static Gen<List<Command>> Sequence(int maxLength, bool restarts, bool big, bool writes = false) =>
        from length in Gen.Choose(1, maxLength)
        from commands in Gen.ListOf(AnyCommand(restarts, big, writes), length)
        select commands.ToList();

    /// <summary>Mostly ranges, so that most watches see events; starts around the compaction point now and then.</summary>
    public static Gen<WatchSpec> Watch =>
        from key in Gen.Frequency((3, Gen.Elements("\0", "a", "b")), (2, Key))
        from end in Gen.Frequency(
            (1, Gen.Constant<string?>(null)),
            (3, Gen.Constant<string?>("\0")),
            (2, Key.Select(k => (string?)k)),
            (2, Gen.Constant<string?>(Latin1(Bytes.PrefixEnd(Properties.Command.B(key))))))
        from kind in Gen.Frequency(
            (3, Gen.Constant(RevisionKind.Current)),
            (4, Gen.Constant(RevisionKind.Back)),
            (2, Gen.Constant(RevisionKind.AtCompaction)),
            (2, Gen.Constant(RevisionKind.BelowCompaction)),
            (1, Gen.Constant(RevisionKind.Future)),
            (1, Gen.Constant(RevisionKind.Absolute)))
        from n in Gen.Choose(0, kind == RevisionKind.Back ? 8 : 3)
        from prevKv in Gen.Elements(false, true)
        from noPut in Rarely
        from noDelete in Rarely
        select new WatchSpec(key, end, new RevisionPick(kind, n), prevKv, noPut, noDelete);

    public static Arbitrary<List<Command>> Sequences(int maxLength, bool restarts, bool big) =>
        Arb.From(Sequence(maxLength, restarts, big), Shrink.Sequence);

    public static Arbitrary<WatchScenario> WatchScenarios(int maxLength) =>
        Arb.From(
            from commands in Sequence(maxLength, restarts: false, big: false, writes: true)
            from watch in Watch
            from openAt in Gen.Choose(0, commands.Count)
            select new WatchScenario(commands, watch, openAt),
            scenario => Shrink.Sequence(scenario.Commands.ToList())
                .Select(shorter => scenario with { Commands = shorter, OpenAt = Math.Min(scenario.OpenAt, shorter.Count) }));

    private static string Latin1(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);
}

/// <summary>A watch opened before command <see cref="OpenAt"/> of <see cref="Commands"/>.</summary>
public sealed record WatchScenario(IReadOnlyList<Command> Commands, WatchSpec Watch, int OpenAt)
{
    public override string ToString() =>
        $"{Watch} opened at step {OpenAt} of [{Environment.NewLine}  {string.Join("," + Environment.NewLine + "  ", Commands)}]";
}

public sealed record WatchSpec(string Key, string? RangeEnd, RevisionPick Start, bool PrevKv, bool NoPut, bool NoDelete)
{
    public WatchRequest ToRequest(Position at) => new()
    {
        Key = Command.B(Key), RangeEnd = Command.End(RangeEnd), StartRevision = Start.Resolve(at), PrevKv = PrevKv, NoPut = NoPut, NoDelete = NoDelete,
    };

    public override string ToString() =>
        $"Watch({Command.Show(Key)}, {Command.Show(RangeEnd)}, start {Start}{(PrevKv ? ", prev" : "")}{(NoPut ? ", noPut" : "")}{(NoDelete ? ", noDelete" : "")})";
}

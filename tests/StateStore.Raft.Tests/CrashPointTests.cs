namespace StateStore.Raft.Tests;

/// <summary>How <c>STATESTORE_FAILPOINTS</c> terms configure a crash failpoint (the crash itself is shown by the jepsen-style CrashFailpointTests).</summary>
public sealed class CrashPointTests
{
    [Fact]
    public void A_bare_name_crashes_at_the_first_hit_and_a_count_at_that_hit()
    {
        Assert.Equal(1, CrashPoint.Parse(["slow-wal-flush", "crash-after-apply"], "crash-after-apply")!.At);
        Assert.Equal(42, CrashPoint.Parse(["crash-after-apply=42"], "crash-after-apply")!.At);
    }

    [Fact]
    public void A_point_no_term_names_is_null_and_a_prefix_of_another_name_is_not_it()
    {
        Assert.Null(CrashPoint.Parse([], "crash-after-apply"));
        Assert.Null(CrashPoint.Parse(["crash-after-apply-x", "inject-bugs"], "crash-after-apply"));
    }

    [Theory]
    [InlineData("crash-after-apply=0")]
    [InlineData("crash-after-apply=x")]
    public void A_count_that_is_not_a_positive_number_is_refused(string term) =>
        Assert.Throws<ArgumentException>(() => CrashPoint.Parse([term], "crash-after-apply"));
}

using Microsoft.Extensions.Logging;

namespace StateStore.EtcdApi;

/// <summary>The project's log messages, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Watch {WatchId} created on {Range} from revision {StartRevision}")]
    public static partial void WatchCreated(ILogger logger, long watchId, string range, long startRevision);

    [LoggerMessage(2, LogLevel.Debug, "Watch {WatchId} ended: {Reason}")]
    public static partial void WatchEnded(ILogger logger, long watchId, string reason);

    [LoggerMessage(3, LogLevel.Information, "Ignored a watch request with nothing set")]
    public static partial void EmptyWatchRequest(ILogger logger);

    [LoggerMessage(4, LogLevel.Warning, "A watch stream failed")]
    public static partial void WatchStreamFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Rewrote HTTP/2 :authority '{Original}' to '{Rewritten}' so that Kestrel accepts it")]
    public static partial void AuthorityRewritten(ILogger logger, string original, string rewritten);

    [LoggerMessage(6, LogLevel.Warning, "Stopped rewriting :authority on a connection: {Reason}")]
    public static partial void AuthorityRewriteStopped(ILogger logger, string reason);
}

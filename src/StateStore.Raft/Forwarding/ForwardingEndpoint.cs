using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// The leader's side of forwarding over HTTP/2 (members before the direct channel, <see cref="ForwardingChannel"/>, and
/// its fallback), on the client port: replicate the posted command and answer with
/// its encoded result (200), "not leader" before appending (421), or "ambiguous" (503).
/// </summary>
public static class ForwardingEndpoint
{
    public const string Path = "/statestore.v1/propose";

    public static IEndpointConventionBuilder MapProposalForwarding(this IEndpointRouteBuilder endpoints, ReplicatedKvStore store) =>
        endpoints.MapProposalForwarding(store.AcceptForwardedAsync);

    internal static IEndpointConventionBuilder MapProposalForwarding(this IEndpointRouteBuilder endpoints, Func<byte[], CancellationToken, Task<ForwardReply>> accept) =>
        endpoints.MapPost(Path, async context =>
        {
            if (context.Request.ContentLength is > ForwardingFrames.MaxCommandBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }
            var result = await context.Request.BodyReader.ReadAtLeastAsync(ForwardingFrames.MaxCommandBytes + 1, context.RequestAborted).ConfigureAwait(false);
            var command = result.Buffer.ToArray();
            context.Request.BodyReader.AdvanceTo(result.Buffer.End);
            var reply = await accept(command, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = reply.Status switch
            {
                ForwardStatus.Applied => StatusCodes.Status200OK,
                ForwardStatus.NotLeader => StatusCodes.Status421MisdirectedRequest,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            await context.Response.Body.WriteAsync(ForwardingFrames.ReplyBody(reply), context.RequestAborted).ConfigureAwait(false);
        });
}

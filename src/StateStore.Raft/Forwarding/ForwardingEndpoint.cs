using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// The leader's side of forwarding, on the client port: replicate the posted command and answer with
/// its encoded result (200), "not leader" before appending (421), or "ambiguous" (503).
/// </summary>
public static class ForwardingEndpoint
{
    public const string Path = "/statestore.v1/propose";

    /// <summary>Commands larger than this are refused (a request of 1.5 MiB plus encoding overhead fits).</summary>
    private const long MaxCommandBytes = 2 * 1024 * 1024;

    public static IEndpointConventionBuilder MapProposalForwarding(this IEndpointRouteBuilder endpoints, ReplicatedKvStore store) =>
        endpoints.MapPost(Path, async context =>
        {
            if (context.Request.ContentLength is > MaxCommandBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }
            var result = await context.Request.BodyReader.ReadAtLeastAsync((int)MaxCommandBytes + 1, context.RequestAborted).ConfigureAwait(false);
            var command = result.Buffer.ToArray();
            context.Request.BodyReader.AdvanceTo(result.Buffer.End);
            var reply = await store.AcceptForwardedAsync(command, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = reply.Status switch
            {
                ForwardStatus.Applied => StatusCodes.Status200OK,
                ForwardStatus.NotLeader => StatusCodes.Status421MisdirectedRequest,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            var body = reply.Result ?? System.Text.Encoding.UTF8.GetBytes(reply.Reason ?? "");
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        });
}

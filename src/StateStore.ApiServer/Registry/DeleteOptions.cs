using System.Globalization;
using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;

namespace StateStore.ApiServer.Registry;

/// <summary>
/// A DELETE's options, from the DeleteOptions body or the query (as the official client sends them): preconditions,
/// gracePeriodSeconds, propagationPolicy (or the older orphanDependents) and dryRun.
/// </summary>
internal sealed record DeleteOptions(string? Uid, string? ResourceVersion, long? GracePeriodSeconds, string? Propagation, bool DryRun)
{
    /// <summary>The finalizers through which the garbage collector carries out a propagation policy.</summary>
    public const string OrphanFinalizer = "orphan";

    public const string ForegroundFinalizer = "foregroundDeletion";

    public static DeleteOptions Parse(ApiRequest request, JsonObject? body)
    {
        var preconditions = body?["preconditions"] as JsonObject;
        var grace = Number(body?["gracePeriodSeconds"]) ?? Number(request.Query("gracePeriodSeconds"));
        if (grace < 0)
        {
            throw ApiError.BadRequest($"gracePeriodSeconds must not be negative, not {grace}");
        }
        var propagation = body?.Text("propagationPolicy") ?? request.Query("propagationPolicy");
        var orphan = body?["orphanDependents"] is JsonValue o && o.TryGetValue<bool>(out var b) ? b : request.Query("orphanDependents") is { } q ? q == "true" : (bool?)null;
        if (propagation is not null && orphan is not null)
        {
            throw ApiError.BadRequest("orphanDependents and propagationPolicy cannot both be set");
        }
        propagation ??= orphan switch { true => "Orphan", false => "Background", null => null };
        if (propagation is not (null or "Orphan" or "Background" or "Foreground"))
        {
            throw ApiError.BadRequest($"propagationPolicy must be one of Orphan, Background or Foreground, not \"{propagation}\"");
        }
        var dryRun = body?["dryRun"] is JsonArray { Count: > 0 } || request.DryRun;
        return new DeleteOptions(preconditions?.Text("uid"), preconditions?.Text("resourceVersion"), grace, propagation, dryRun);
    }

    /// <summary>Throws 409 Conflict when a precondition does not hold for <paramref name="obj"/>.</summary>
    public void Check(ApiRequest request, JsonObject obj)
    {
        if (Uid is not null && Uid != obj.Uid())
        {
            throw ApiError.Conflict(request.Type.Plural, request.Type.Group, request.Name!, $"Precondition failed: UID in precondition: {Uid}, UID in object meta: {obj.Uid()}");
        }
        if (ResourceVersion is not null && ResourceVersion != obj.ResourceVersion())
        {
            throw ApiError.Conflict(request.Type.Plural, request.Type.Group, request.Name!, $"Precondition failed: ResourceVersion in precondition: {ResourceVersion}, ResourceVersion in object meta: {obj.ResourceVersion()}");
        }
    }

    /// <summary>
    /// Seconds the object is given to terminate: only pods on a node that have not finished get one (the requested
    /// period, else spec.terminationGracePeriodSeconds, else 30), as Kubernetes' pod strategy decides; 0 means now.
    /// </summary>
    public long GracePeriod(ApiRequest request, JsonObject obj)
    {
        if (request.Type.Kind != "Pod" || request.Type.Group.Length > 0)
        {
            return 0;
        }
        var spec = obj["spec"] as JsonObject;
        if (string.IsNullOrEmpty(spec?.Text("nodeName")) || obj.PathText("status.phase") is "Succeeded" or "Failed")
        {
            return 0;
        }
        return GracePeriodSeconds ?? Number(spec?["terminationGracePeriodSeconds"]) ?? 30;
    }

    /// <summary>Adds or removes the orphan and foreground finalizers as the propagation policy asks; true when they changed.</summary>
    public bool ApplyPropagation(JsonObject obj)
    {
        var finalizers = obj.Finalizers();
        var wanted = finalizers.Where(f => Propagation is null || f is not (OrphanFinalizer or ForegroundFinalizer)).ToList();
        if (Propagation is "Orphan" or "Foreground")
        {
            wanted.Add(Propagation == "Orphan" ? OrphanFinalizer : ForegroundFinalizer);
        }
        if (wanted.ToHashSet().SetEquals(finalizers))
        {
            return false;
        }
        obj.Metadata()["finalizers"] = new JsonArray([.. wanted.Select(f => (JsonNode)f)]);
        return true;
    }

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static long? Number(string? text) =>
        text is null ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number
        : throw ApiError.BadRequest($"gracePeriodSeconds must be a number, not \"{text}\"");
}

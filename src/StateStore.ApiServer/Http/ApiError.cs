using System.Text.Json.Nodes;

namespace StateStore.ApiServer.Http;

/// <summary>
/// A request that fails with a Kubernetes Status: the HTTP code, the reason kubectl prints in
/// "Error from server (Reason)", the message, and the details (name, group, kind, causes).
/// </summary>
public sealed class ApiError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public string? Name { get; init; }

    public string? Group { get; init; }

    public string? Kind { get; init; }

    /// <summary>Field causes of an Invalid error: (field, message).</summary>
    public IReadOnlyList<(string Field, string Message)> Causes { get; init; } = [];

    public static ApiError NotFound(string plural, string group, string name) =>
        new(404, "NotFound", $"{Qualified(plural, group)} \"{name}\" not found") { Name = name, Group = group, Kind = plural };

    public static ApiError AlreadyExists(string plural, string group, string name) =>
        new(409, "AlreadyExists", $"{Qualified(plural, group)} \"{name}\" already exists") { Name = name, Group = group, Kind = plural };

    public static ApiError Conflict(string plural, string group, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(plural, group)} \"{name}\": {why}") { Name = name, Group = group, Kind = plural };

    public static ApiError Invalid(string kind, string group, string name, IReadOnlyList<(string Field, string Message)> causes) =>
        new(422, "Invalid", $"{kind} \"{name}\" is invalid: {string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"))}")
        {
            Name = name, Group = group, Kind = kind, Causes = causes,
        };

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiError Gone(string message) => new(410, "Expired", message);

    public static ApiError MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiError UnsupportedMediaType(string message) => new(415, "UnsupportedMediaType", message);

    public static ApiError TooLarge(string message) => new(413, "RequestEntityTooLarge", message);

    public static ApiError Unavailable(string message) => new(503, "ServiceUnavailable", message);

    public static ApiError Timeout(string message) => new(504, "Timeout", message);

    public static ApiError Internal(string message) => new(500, "InternalError", message);

    /// <summary>The Status object the API answers with.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (Name is not null || Kind is not null || Causes.Count > 0)
        {
            var details = new JsonObject();
            if (Name is not null)
            {
                details["name"] = Name;
            }
            details["group"] = Group ?? "";
            if (Kind is not null)
            {
                details["kind"] = Kind;
            }
            if (Causes.Count > 0)
            {
                details["causes"] = new JsonArray([.. Causes.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = "FieldValueInvalid", ["message"] = c.Message, ["field"] = c.Field,
                })]);
            }
            status["details"] = details;
        }
        return status;
    }

    private static string Qualified(string plural, string group) => group.Length == 0 ? plural : $"{plural}.{group}";
}

using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;

namespace StateStore.ApiServer.Selectors;

/// <summary>
/// A field selector: <c>path=value</c>, <c>path==value</c> or <c>path!=value</c> joined by commas, where a path is
/// a dotted field of the object (metadata.name, metadata.namespace, spec.nodeName, status.phase, involvedObject.uid…).
/// A missing field compares as the empty string, as Kubernetes' field sets do.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, bool Equal, string Value)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var term in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var equal = term.IndexOf('=');
            if (notEqual > 0)
            {
                selector._terms.Add((term[..notEqual], false, term[(notEqual + 2)..]));
            }
            else if (equal > 0)
            {
                var value = term[(equal + 1)..];
                selector._terms.Add((term[..equal], true, value.StartsWith('=') ? value[1..] : value));
            }
            else
            {
                throw ApiError.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }
        }
        return selector;
    }

    /// <summary>The name an equality on metadata.name pins, so a list can read one key instead of all.</summary>
    public string? PinnedName => _terms.FirstOrDefault(t => t.Equal && t.Path == "metadata.name").Value;

    public bool Matches(JsonObject obj) => _terms.All(t => (obj.PathText(t.Path) ?? "") == t.Value == t.Equal);
}

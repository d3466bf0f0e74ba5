using StateStore.ApiServer.Http;

namespace StateStore.ApiServer.Selectors;

/// <summary>
/// A label selector as Kubernetes writes it in a query: requirements joined by commas, each
/// <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c> (exists) or <c>!k</c>.
/// All must hold.
/// </summary>
internal sealed class LabelSelector
{
    private enum Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

    private readonly List<(string Key, Op Op, HashSet<string> Values)> _requirements = [];

    public static readonly LabelSelector Everything = new();

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r.Op switch
    {
        Op.Equals => labels.TryGetValue(r.Key, out var v) && r.Values.Contains(v),
        Op.In => labels.TryGetValue(r.Key, out var v) && r.Values.Contains(v),
        Op.NotEquals => !labels.TryGetValue(r.Key, out var v) || !r.Values.Contains(v),
        Op.NotIn => !labels.TryGetValue(r.Key, out var v) || !r.Values.Contains(v),
        Op.Exists => labels.ContainsKey(r.Key),
        Op.DoesNotExist => !labels.ContainsKey(r.Key),
        _ => false,
    });

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var part in SplitTopLevel(text))
        {
            selector._requirements.Add(ParseRequirement(part.Trim(), text));
        }
        return selector;
    }

    private static (string, Op, HashSet<string>) ParseRequirement(string part, string whole)
    {
        if (part.StartsWith('!'))
        {
            return (Key(part[1..], whole), Op.DoesNotExist, []);
        }
        foreach (var (token, op) in new[] { (" notin ", Op.NotIn), (" in ", Op.In) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                var set = part[(at + token.Length)..].Trim();
                if (!set.StartsWith('(') || !set.EndsWith(')'))
                {
                    throw ApiError.BadRequest($"unable to parse requirement: found '{set}', expected: '(' in label selector \"{whole}\"");
                }
                return (Key(part[..at], whole), op, [.. set[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]);
            }
        }
        foreach (var (token, op) in new[] { ("!=", Op.NotEquals), ("==", Op.Equals), ("=", Op.Equals) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return (Key(part[..at], whole), op, [part[(at + token.Length)..].Trim()]);
            }
        }
        return (Key(part, whole), Op.Exists, []);
    }

    private static string Key(string key, string whole)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!'))
        {
            throw ApiError.BadRequest($"unable to parse requirement: invalid label key \"{key}\" in label selector \"{whole}\"");
        }
        return key;
    }

    /// <summary>Splits at commas outside parentheses.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }
}

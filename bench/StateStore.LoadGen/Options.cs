namespace StateStore.LoadGen;

/// <summary>--name value / --flag command-line options.</summary>
internal sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument {args[i]}");
            }
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[args[i][2..]] = hasValue ? args[++i] : "true";
        }
        return new Options(values);
    }

    public string String(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v) : fallback;

    public bool Flag(string name) => values.ContainsKey(name);

    public string[] List(string name) =>
        values.TryGetValue(name, out var v) ? v.Split(',', StringSplitOptions.RemoveEmptyEntries) : throw new ArgumentException($"--{name} is required");

    public Dictionary<string, int> Pids() =>
        List("pids").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => int.Parse(p[1]));
}

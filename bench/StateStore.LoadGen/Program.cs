using StateStore.LoadGen;

// loadgen <test> --endpoints http://127.0.0.1:2379,... [options]
//   put       --inflight 1 --count 2000 --value-size 256 --target leader|follower
//   get       --inflight 64 --count 20000 --serializable
//   range     --keys 1000 --count 200 [--no-load]   (--no-load: the keys are already there)
//   watch     --rate 1000 --seconds 10
//   failover  --pids URL=PID,... --kill-after 3 --seconds 10
//   compare   [--rounds 3] [--only NAME] [--statestore PATH/statestore.dll] [--port 31000] [--warm-up]: etcd vs StateStore, 3 members each
//             (--warm-up: the same unmeasured traffic through every member of both clusters before each test)
//   kube      --api-urls http://127.0.0.1:8080,... [--count 500] [--pods 10000] [--watchers 1000]: the Kubernetes API
//   scale     [--keys 100000] [--inflight 256] [--statestore PATH/statestore.dll] [--systems etcd,statestore]: memory, disk, restart and join after N keys
// Prints one summary line per test (--json: one JSON object). Only loopback endpoints are accepted.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: loadgen put|get|range|watch|failover --endpoints URL[,URL...] [options] | compare [options] | scale [options]");
    return 2;
}
var test = args[0];
var options = Options.Parse(args[1..]);
if (test is "compare" or "scale")
{
    using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(options.Int("minutes", 60)));
    var statestore = options.String("statestore", "src/StateStore.Cli/bin/Release/net10.0/statestore.dll");
    return test == "compare"
        ? await Compare.RunAsync(statestore, options.Int("rounds", 3), options.String("only", "") is { Length: > 0 } only ? only : null, options.Int("port", 31000), options.Flag("warm-up"), budget.Token)
        : await Scale.RunAsync(statestore, options.Int("keys", 100_000), options.Int("inflight", 256), options.String("systems", "etcd,statestore").Split(',', StringSplitOptions.RemoveEmptyEntries), budget.Token);
}
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Int("timeout", 300)));
if (test == "kube")
{
    foreach (var line in await Kube.RunAsync(options.List("api-urls"), options.Int("count", 500), options.Int("pods", 10_000), options.Int("watchers", 1000), timeout.Token))
    {
        Console.WriteLine(options.Flag("json") ? line.ToJson() : line.ToString());
    }
    return 0;
}
using var endpoints = new Endpoints(options.List("endpoints"));
var target = options.String("target", "leader") switch
{
    "leader" => (await endpoints.FindLeaderAsync(timeout.Token)).Leader,
    "follower" => ((await endpoints.FindLeaderAsync(timeout.Token)).Leader + 1) % endpoints.Count,
    var index => int.Parse(index),
};
var result = test switch
{
    "put" => await Workloads.PutAsync(endpoints, target, options.Int("count", 2000), options.Int("inflight", 1), options.Int("value-size", 256), timeout.Token),
    "get" => await Workloads.GetAsync(endpoints, target, options.Int("count", 20_000), options.Int("inflight", 64), options.Flag("serializable"), timeout.Token),
    "range" => await Workloads.RangeAsync(endpoints, target, options.Int("keys", 1000), options.Int("count", 200), timeout.Token, load: !options.Flag("no-load")),
    "watch" => await Workloads.WatchLatencyAsync(endpoints, options.Int("rate", 1000), TimeSpan.FromSeconds(options.Int("seconds", 10)), timeout.Token),
    "failover" => await Workloads.FailoverAsync(endpoints, options.Pids(), TimeSpan.FromSeconds(options.Int("kill-after", 3)), TimeSpan.FromSeconds(options.Int("seconds", 10)), timeout.Token),
    _ => throw new ArgumentException($"unknown test {test}"),
};
Console.WriteLine(options.Flag("json") ? result.ToJson() : result.ToString());
return 0;

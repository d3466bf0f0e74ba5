// Each test runs three server processes under load; two such tests at once on a small CI machine would
// starve each other's heartbeats and test the scheduler instead of the server.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

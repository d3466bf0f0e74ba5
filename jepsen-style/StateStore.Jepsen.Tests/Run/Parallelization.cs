// The run tests each drive three server processes under load; two at once on a small CI machine would
// starve each other's heartbeats and test the scheduler instead of the server.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

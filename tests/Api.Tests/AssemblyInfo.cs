// The suites share two cores and stop servers on purpose: run one collection at a time, so that
// timing bounds in the fault tests mean what they say.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

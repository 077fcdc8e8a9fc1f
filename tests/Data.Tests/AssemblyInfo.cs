// The pool tests read Npgsql's process-wide meter for the pool named "exam", which the telemetry
// tests' data sources also carry: run one collection at a time so that each reads only its own.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// One test at a time: both build the host into the same output folder and each wants both cores. The
// defaults' ports (5080, and 15432 for the cluster) lie below the kernel's ephemeral range (32768 to
// 60999 on Debian): 55432, the cluster's default until 2026-12-03, lay inside it, and twice on CI a
// connection the fleet test had closed still held it in TIME_WAIT when ./run.sh's cluster bound it
// ("could not bind IPv4 address "127.0.0.1": Address already in use").
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

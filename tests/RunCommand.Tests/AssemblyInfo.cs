// One test at a time: ./run.sh's defaults listen on 55432, inside this machine's ephemeral port range
// (32768 to 60999), and the fleet test beside it opened enough loopback connections for one of them
// to take 55432 as its local port while ./run.sh's cluster was starting (CI, 2026-12-03 08:38 UTC:
// "could not bind IPv4 address "127.0.0.1": Address already in use").
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

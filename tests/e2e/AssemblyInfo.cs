// One fleet of hosts and one Chromium at a time: the 2-core machine runs the flows' hosts, their
// PostgreSQL and the browser, and two collections at once would only make each flow slower.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

using System.Threading.RateLimiting;

namespace ExamConsole.Api.Admission;

// The gate's moving parts: a queued request, the lease a request holds (and reports its latency
// through when released), and the limiter of one priority that ASP.NET Core's middleware calls.
public sealed partial class AdmissionController
{
    private sealed class Waiter(AdmissionController owner, AdmissionPriority priority, int kind)
    {
        private readonly TaskCompletionSource<RateLimitLease> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _cancellation;
        private ITimer? _timer;
        private long _admittedAt;
        private int _inFlightAtStart;

        public AdmissionPriority Priority { get; } = priority;

        public LinkedListNode<Waiter>? Node { get; set; }

        public Task<RateLimitLease> Task => _done.Task;

        public void Start(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            _timer = time.CreateTimer(_ => GiveUp(), null, timeout, Timeout.InfiniteTimeSpan);
            _cancellation = cancellationToken.Register(GiveUp);
        }

        /// <summary>Under the gate's lock, when the waiter is given its slot.</summary>
        public void Admitted(long at, int inFlight) => (_admittedAt, _inFlightAtStart) = (at, inFlight);

        public void Grant()
        {
            Stop();
            if (!_done.TrySetResult(new Lease(owner, acquired: true, TimeSpan.Zero, _admittedAt, _inFlightAtStart, kind)))
            {
                owner.Release(null, 0, kind);
            }
        }

        public void Fail(RateLimitLease lease)
        {
            Stop();
            _done.TrySetResult(lease);
        }

        private void GiveUp()
        {
            if (owner.Withdraw(this))
            {
                Fail(new Lease(null, acquired: false, owner.RetryAfterNow()));
            }
        }

        private void Stop()
        {
            _timer?.Dispose();
            _cancellation.Dispose();
        }
    }

    private sealed class Lease(AdmissionController? owner, bool acquired, TimeSpan retryAfter, long? startedAt = null, int inFlightAtStart = 0, int kind = 0) : RateLimitLease
    {
        private AdmissionController? _owner = owner;

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => IsAcquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (!IsAcquired && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = retryAfter;
                return true;
            }
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            Interlocked.Exchange(ref _owner, null)?.Release(startedAt, inFlightAtStart, kind);
        }
    }

    private sealed class PriorityLimiter(AdmissionController owner, AdmissionPriority priority, int kind) : RateLimiter
    {
        public override TimeSpan? IdleDuration
        {
            get
            {
                var state = owner.State();
                return state.InFlight == 0 && state.Queued == 0 ? owner._time.GetElapsedTime(Volatile.Read(ref owner._idleSince)) : null;
            }
        }

        public override RateLimiterStatistics? GetStatistics()
        {
            var state = owner.State();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = state.MaxConcurrent is { } max ? Math.Max(0, max - state.InFlight) : int.MaxValue,
                CurrentQueuedCount = state.Queued,
                TotalFailedLeases = state.RejectedTotal,
                TotalSuccessfulLeases = state.AdmittedTotal,
            };
        }

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => owner.TryAcquire(priority, kind);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            owner.AcquireAsync(priority, kind, cancellationToken);
    }
}

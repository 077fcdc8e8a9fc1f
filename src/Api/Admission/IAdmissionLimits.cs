namespace ExamConsole.Api.Admission;

/// <summary>The admission gate's limits as operators read and change them at run time.</summary>
public interface IAdmissionLimits
{
    AdmissionState State();

    /// <summary>Pins a fixed limit (null lifts a limit) and returns the state after.</summary>
    AdmissionState Update(int? maxConcurrent, int? queueLimit);

    /// <summary>Pins a fixed limit, or releases it to follow measured throughput (adaptive), and returns the state after.</summary>
    AdmissionState Update(AdmissionMode mode, int? maxConcurrent, int? queueLimit);
}

namespace ExamConsole.Api.Admission;

/// <summary>The admission gate's limits as operators read and change them at run time.</summary>
public interface IAdmissionLimits
{
    AdmissionState State();

    /// <summary>Puts new limits in force (null lifts a limit) and returns the state after.</summary>
    AdmissionState Update(int? maxConcurrent, int? queueLimit);
}

using ExamConsole.Data.Entities;

namespace ExamConsole.Api.Admin;

/// <summary>The administrator roles and the authorization policies of the operator API and the console.</summary>
public static class AdminPolicies
{
    /// <summary>May act: resize, throttle, open the circuit...</summary>
    public const string OperatorRole = AdminRoles.Operator;

    /// <summary>May only read.</summary>
    public const string ViewerRole = AdminRoles.Viewer;

    /// <summary>Operators and viewers.</summary>
    public const string Read = "admin-read";

    /// <summary>Operators only.</summary>
    public const string Act = "admin-act";

    /// <summary>The claim of a token or console cookie that holds the account's security stamp at sign-in.</summary>
    public const string StampClaim = "stamp";
}

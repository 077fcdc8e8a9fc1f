namespace ExamConsole.Console.Components.Dialogs;

/// <summary>One line of a change dialog: what, its value now, its value after.</summary>
public sealed record ChangeRow(string What, string Now, string After);

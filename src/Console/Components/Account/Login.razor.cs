using System.ComponentModel.DataAnnotations;
using ExamConsole.Api.Admin;
using ExamConsole.Console.Auth;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Account;

public partial class Login
{
    private string? _error;

    [Inject]
    private IConsoleSignIn SignIn { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [SupplyParameterFromForm]
    private LoginInput? Input { get; set; }

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    protected override void OnInitialized() => Input ??= new();

    private async Task SignInAsync()
    {
        var result = await SignIn.SignInAsync(HttpContext, Input!.Username, Input.Password, HttpContext?.RequestAborted ?? CancellationToken.None);
        switch (result)
        {
            case AdminSignInResult.SignedIn:
                Navigation.NavigateTo(ConsoleAuth.LocalOrHome(ReturnUrl), forceLoad: true);
                return;
            case AdminSignInResult.Throttled(var retryAfter):
                _error = $"Too many attempts for this username: wait {Math.Ceiling(retryAfter.TotalSeconds):F0} s and try again.";
                break;
            case AdminSignInResult.Invalid invalid:
                _error = string.Join(" ", invalid.Errors.Values.SelectMany(e => e));
                break;
            default:
                _error = "The username or the password is wrong.";
                break;
        }
    }

    public sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your username.")]
        public string? Username { get; set; }

        [Required(ErrorMessage = "Enter your password.")]
        public string? Password { get; set; }
    }
}

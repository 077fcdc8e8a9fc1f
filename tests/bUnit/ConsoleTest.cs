using Bunit.Rendering;
using ExamConsole.Api.Admin;
using ExamConsole.Console.Auth;
using ExamConsole.Console.Components.Layout;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace ExamConsole.Console.Tests;

/// <summary>
/// The one bUnit setup: MudBlazor services with loose JS interop and no transitions, the console's
/// options, a clock that moves only when the test moves it, and hand-written fakes behind every
/// interface the pages use.
/// </summary>
public abstract class ConsoleTest : BunitContext, IAsyncLifetime
{
    public static readonly ConsoleUser Operator = new("olga", AdminPolicies.OperatorRole);
    public static readonly ConsoleUser Viewer = new("victor", AdminPolicies.ViewerRole);

    protected ConsoleTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
        });
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddSingleton(Options);
        Services.AddSingleton<IConsoleFeed>(Feed);
        Services.AddSingleton<IOperatorControls>(Operations);
        Services.AddSingleton<IPlaybookSteps>(Playbook);
        Services.AddSingleton<IServerInsight>(Insight);
        Services.AddSingleton<ILeakWatch>(Leaks);
        Services.AddSingleton<IReadinessChecks>(Readiness);
        Services.AddSingleton<IAuditTrail>(Audit);
        Services.AddSingleton<IConsoleSignIn>(SignIn);
        Fleet = new FakeFleetView(Time);
        Services.AddSingleton<IFleetView>(Fleet);
        Services.AddSingleton<ExamConsole.Data.Bouncer.IBouncerFigures>(Bouncer);
        Services.AddSingleton<IHistoryView>(History);
        Services.AddSingleton(Preferences);
        // A change of the fleet's settings is in force and acknowledged on this node when it returns.
        Operations.Changed = Fleet.ApplyHere;
    }

    public FakeBouncer Bouncer { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor's services only dispose asynchronously; xunit calls this before Dispose (then a no-op).</summary>
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    /// <summary>The pages' clock: their render throttle and timers wait for <see cref="FakeTimeProvider.Advance"/>.</summary>
    public FakeTimeProvider Time { get; } = new(Fakes.Samples.Start);

    /// <summary>The console's defaults: the render throttle costs no real time on a fake clock.</summary>
    public IOptions<ConsoleOptions> Options { get; } = Microsoft.Extensions.Options.Options.Create(new ConsoleOptions());

    public FakeFeed Feed { get; } = new(Samples.Sample());

    public FakeOperatorControls Operations { get; } = new();

    public FakePlaybook Playbook { get; } = new();

    public FakeServerInsight Insight { get; } = new();

    public FakeLeakWatch Leaks { get; } = new();

    public FakeReadiness Readiness { get; } = new();

    public FakeAuditTrail Audit { get; } = new();

    public FakeSignIn SignIn { get; } = new();

    public FakeFleetView Fleet { get; }

    public FakeHistoryView History { get; } = new();

    /// <summary>The browser's display choices; UTC until a test says otherwise.</summary>
    public DisplayPreferences Preferences { get; } = new();

    /// <summary>Publishes a sample as the sampler does and moves the clock past the render throttle, so live pages take it in.</summary>
    protected void PublishLive(ConsoleSample sample)
    {
        Feed.Publish(sample);
        Time.Advance(Options.Value.RenderThrottle);
    }

    /// <summary>A page as the layout gives it: the user cascaded, a dialog provider beside it.</summary>
    private IRenderedComponent<ContainerFragment>? _host;

    /// <param name="providers">False for a second page in the same test: MudBlazor's providers are one per page.</param>
    protected IRenderedComponent<TPage> RenderPage<TPage>(ConsoleUser? user, bool providers = true)
        where TPage : IComponent
    {
        var host = Render(builder =>
        {
            if (providers)
            {
                builder.OpenComponent<MudPopoverProvider>(0);
                builder.CloseComponent();
                builder.OpenComponent<MudDialogProvider>(1);
                builder.CloseComponent();
                builder.OpenComponent<MudSnackbarProvider>(2);
                builder.CloseComponent();
            }
            builder.OpenComponent<CascadingValue<ConsoleUser?>>(3);
            builder.AddComponentParameter(4, "Value", user);
            builder.AddComponentParameter(5, "ChildContent", (RenderFragment)(b =>
            {
                b.OpenComponent<TPage>(0);
                b.CloseComponent();
            }));
            builder.CloseComponent();
        });
        if (providers)
        {
            _host = host;
        }
        return host.FindComponent<TPage>();
    }

    /// <summary>The dialog provider that a page rendered with <see cref="RenderPage{TPage}"/> opens its dialogs in.</summary>
    protected IRenderedComponent<MudDialogProvider> DialogHost() =>
        (_host ?? throw new InvalidOperationException("Render a page first.")).FindComponent<MudDialogProvider>();

    /// <summary>Opens a dialog directly in a provider of its own.</summary>
    protected async Task<IRenderedComponent<MudDialogProvider>> ShowDialogAsync<TDialog>(DialogParameters parameters)
        where TDialog : IComponent
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<TDialog>("dialog", parameters));
        return provider;
    }
}

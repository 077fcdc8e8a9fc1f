using ExamConsole.Api.Admin;

namespace ExamConsole.Api.Tests.Admin;

public sealed class OperatorActionsTests
{
    [Fact]
    public void OperatorActions_Constructor_TakesInterfacesOnly()
    {
        var parameters = Assert.Single(typeof(OperatorActions).GetConstructors()).GetParameters();

        Assert.All(parameters, p => Assert.True(p.ParameterType.IsInterface, $"{p.Name} is the concrete {p.ParameterType.Name}"));
    }
}

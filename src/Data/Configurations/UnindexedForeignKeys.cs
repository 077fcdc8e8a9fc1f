using ExamConsole.Data.Entities;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace ExamConsole.Data.Configurations;

/// <summary>
/// EF Core's index-per-foreign-key convention, less the foreign keys named here. An answer's question
/// and option keys stay foreign keys, without an index behind them: such an index serves only a
/// delete of the question or option, which nothing does, and every saved answer paid for both, on
/// pages that all the teachers of an exam write at once (an 800-row upsert took 110 ms with them and
/// 20 ms without, BENCHMARKS.md "Full-paper submissions"). EF re-creates a convention index as soon
/// as it is removed from the model, hence a convention rather than a removal in the configuration.
/// </summary>
internal sealed class UnindexedForeignKeys(ProviderConventionSetBuilderDependencies dependencies) : ForeignKeyIndexConvention(dependencies)
{
    private static readonly HashSet<(Type Entity, string Property)> Unindexed =
    [
        (typeof(Answer), nameof(Answer.QuestionId)),
        (typeof(Answer), nameof(Answer.OptionId)),
    ];

    protected override IConventionIndex? CreateIndex(IReadOnlyList<IConventionProperty> properties, bool unique, IConventionEntityTypeBuilder entityTypeBuilder) =>
        properties.Count == 1 && Unindexed.Contains((entityTypeBuilder.Metadata.ClrType, properties[0].Name))
            ? null
            : base.CreateIndex(properties, unique, entityTypeBuilder);
}

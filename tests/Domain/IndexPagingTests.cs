using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Indexes;

namespace CloudController.Tests.Domain;

public sealed class IndexPagingTests
{
    private static readonly DateTimeOffset T0 = new(2016, 6, 30, 0, 0, 0, TimeSpan.Zero);

    private static readonly IndexEntry[] Entries =
    [
        new(Guid.NewGuid(), "charlie", "a", T0, null),
        new(Guid.NewGuid(), "alpha", "a", T0, T0.AddHours(3)),
        new(Guid.NewGuid(), "bravo", "b", T0.AddMinutes(1), null),
        new(Guid.NewGuid(), "delta", "a", T0.AddMinutes(2), T0.AddHours(1)),
    ];

    [Fact]
    public void IdOrderIsCreationOrderAndPagesDoNotOverlap()
    {
        var first = IndexPaging.Apply(Entries, IndexQuery.All(1, 3));
        var second = IndexPaging.Apply(Entries, IndexQuery.All(2, 3));

        Assert.Equal(4, first.TotalResults);
        Assert.Equal(Entries[..3], first.Entries.ToArray());
        Assert.Equal([Entries[3]], second.Entries.ToArray());
    }

    [Fact]
    public void APageBeyondTheEndIsEmptyButCountsEverything()
    {
        var page = IndexPaging.Apply(Entries, IndexQuery.All(9, 3));

        Assert.Empty(page.Entries);
        Assert.Equal(4, page.TotalResults);
    }

    [Fact]
    public void FiltersCombineAndValuesWithinAFilterAreAlternatives()
    {
        var query = new IndexQuery(["alpha", "delta", "bravo"], [], ["a"], IndexOrder.Id, false, 1, 10);

        var page = IndexPaging.Apply(Entries, query);

        Assert.Equal(["alpha", "delta"], page.Entries.Select(e => e.Name));
    }

    [Fact]
    public void GuidFilterSelectsExactly()
    {
        var page = IndexPaging.Apply(Entries, new IndexQuery([], [Entries[2].Guid], [], IndexOrder.Id, false, 1, 10));

        Assert.Equal([Entries[2]], page.Entries.ToArray());
    }

    [Theory]
    [InlineData(IndexOrder.Name, false, "alpha,bravo,charlie,delta")]
    [InlineData(IndexOrder.Name, true, "delta,charlie,bravo,alpha")]
    [InlineData(IndexOrder.CreatedAt, false, "charlie,alpha,bravo,delta")]
    [InlineData(IndexOrder.CreatedAt, true, "delta,bravo,alpha,charlie")]
    [InlineData(IndexOrder.UpdatedAt, false, "charlie,bravo,delta,alpha")]
    public void OrdersAreStableOnTies(IndexOrder order, bool descending, string expected)
    {
        var page = IndexPaging.Apply(Entries, new IndexQuery([], [], [], order, descending, 1, 10));

        Assert.Equal(expected, string.Join(',', page.Entries.Select(e => e.Name)));
    }

    [Fact]
    public void ApplyingDoesNotReorderTheCallersList()
    {
        var entries = Entries.ToImmutableList();

        IndexPaging.Apply(entries, new IndexQuery([], [], [], IndexOrder.Name, true, 1, 10));

        Assert.Equal(Entries, entries);
    }
}

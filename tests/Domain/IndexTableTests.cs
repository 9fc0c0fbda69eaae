using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Indexes;

namespace CloudController.Tests.Domain;

public sealed class IndexTableTests
{
    private static readonly DateTimeOffset T0 = new(2016, 6, 30, 0, 0, 0, TimeSpan.Zero);

    private static readonly IndexEntry[] Entries =
    [
        new(Guid.Parse("00000000-0000-0000-0000-000000000002"), "charlie", "a", T0, ["state:Ready", "type:Bits"]),
        new(Guid.Parse("00000000-0000-0000-0000-000000000003"), "alpha", "a", T0, ["state:Failed", "type:Bits"]),
        new(Guid.NewGuid(), "bravo", "b", T0.AddMinutes(1), ["state:Ready", "type:Docker"]),
        new(Guid.NewGuid(), "delta", "a", T0.AddMinutes(2), ["state:Expired", "type:Bits"]),
    ];

    private static IndexTable Table(IEnumerable<IndexEntry>? entries = null)
    {
        var table = new IndexTable();
        foreach (var entry in entries ?? Entries)
        {
            table.Put(entry);
        }

        return table;
    }

    [Fact]
    public void IdOrderIsCreationTimeThenGuidAndPagesDoNotOverlap()
    {
        var table = Table(Entries.Reverse());

        var first = table.Query(IndexQuery.All(1, 3));
        var second = table.Query(IndexQuery.All(2, 3));

        Assert.Equal(4, first.TotalResults);
        Assert.Equal(Entries[..3], first.Entries.ToArray());
        Assert.Equal([Entries[3]], second.Entries.ToArray());
    }

    [Fact]
    public void APageBeyondTheEndIsEmptyButCountsEverything()
    {
        var page = Table().Query(IndexQuery.All(9, 3));

        Assert.Empty(page.Entries);
        Assert.Equal(4, page.TotalResults);
    }

    [Theory]
    [InlineData(IndexOrder.Name, false, "alpha,bravo,charlie,delta")]
    [InlineData(IndexOrder.Name, true, "delta,charlie,bravo,alpha")]
    [InlineData(IndexOrder.Id, false, "charlie,alpha,bravo,delta")]
    [InlineData(IndexOrder.Id, true, "delta,bravo,alpha,charlie")]
    public void OrdersAreTotalSoTiesNeverSwapBetweenPages(IndexOrder order, bool descending, string expected)
    {
        var page = Table().Query(new IndexQuery([], [], [], order, descending, 1, 10));

        Assert.Equal(expected, string.Join(',', page.Entries.Select(e => e.Name)));
    }

    [Fact]
    public void NameFilterIsExactAndValuesAreAlternatives()
    {
        var table = Table();

        Assert.Equal(["alpha", "delta"], table.Query(new IndexQuery(["alpha", "delta", "ALPHA"], [], [], IndexOrder.Id, false, 1, 10)).Entries.Select(e => e.Name));
        Assert.Equal(Entries[0].Guid, table.HolderOf("CHARLIE", Guid.NewGuid()));
        Assert.Null(table.HolderOf("charlie", Entries[0].Guid));
    }

    [Fact]
    public void GuidFilterSelectsExactly()
    {
        var page = Table().Query(new IndexQuery([], [Entries[2].Guid, Guid.NewGuid()], [], IndexOrder.Id, false, 1, 10));

        Assert.Equal([Entries[2]], page.Entries.ToArray());
    }

    [Fact]
    public void TagGroupsMustAllHoldAndTagsWithinAGroupAreAlternatives()
    {
        var table = Table();

        var readyOrFailed = table.Query(new IndexQuery([], [], [["state:Ready", "state:Failed"]], IndexOrder.Id, false, 1, 10));
        var readyBits = table.Query(new IndexQuery([], [], [["state:Ready"], ["type:Bits"]], IndexOrder.Id, false, 1, 10));
        var unknown = table.Query(new IndexQuery([], [], [["state:Nope"]], IndexOrder.Id, false, 1, 10));

        Assert.Equal(["charlie", "alpha", "bravo"], readyOrFailed.Entries.Select(e => e.Name));
        Assert.Equal(3, readyOrFailed.TotalResults);
        Assert.Equal(["charlie"], readyBits.Entries.Select(e => e.Name));
        Assert.Equal(0, unknown.TotalResults);
    }

    [Fact]
    public void ReplacingAnEntryMovesItBetweenTagsAndNames()
    {
        var table = Table();
        table.Put(Entries[0] with { Name = "echo", Tags = ["state:Expired", "type:Bits"] });

        Assert.Null(table.HolderOf("charlie", Guid.NewGuid()));
        Assert.Equal(Entries[0].Guid, table.HolderOf("echo", Guid.NewGuid()));
        Assert.Equal(["echo", "delta"], table.Query(new IndexQuery([], [], [["state:Expired"]], IndexOrder.Id, false, 1, 10)).Entries.Select(e => e.Name));
        Assert.Equal(4, table.Count);
        Assert.True(table.Remove(Entries[0].Guid));
        Assert.False(table.Remove(Entries[0].Guid));
        Assert.Equal(3, table.Query(IndexQuery.All(1, 10)).TotalResults);
    }

    [Fact]
    public void TwoTagsOfOneKindAreRefused() =>
        Assert.Throws<ArgumentException>(() => new IndexTable().Put(Entries[0] with { Tags = ["state:Ready", "state:Failed"] }));

    [Fact]
    public void EntriesStoredBeforeTagsExistedReadAsUntagged()
    {
        var table = Table([Entries[0] with { Tags = default }]);

        Assert.Equal(1, table.Query(IndexQuery.All(1, 10)).TotalResults);
        Assert.True(Entries[0].WithoutTags().SameAs(table.Find(Entries[0].Guid)));
    }

    /// <summary>The union of several tags pages by rank: every page of every size agrees with sorting everything.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PagesOfAUnionOfTagsMatchSortingEverything(bool descending)
    {
        var random = new Random(7);
        var states = new[] { "state:A", "state:B", "state:C" };
        var entries = Enumerable.Range(0, 200)
            .Select(i => new IndexEntry(Guid.NewGuid(), $"n{i}", "s", T0.AddSeconds(random.Next(50)), [states[random.Next(states.Length)]]))
            .ToList();
        var table = Table(entries);
        var expected = entries.Where(e => e.Tags[0] != "state:C").Order(IndexOrdering.For(IndexOrder.Id, descending)).ToList();

        foreach (var perPage in new[] { 1, 7, 50, 500 })
        {
            for (var page = 1; page <= (expected.Count / perPage) + 2; page++)
            {
                var got = table.Query(new IndexQuery([], [], [["state:B", "state:A"]], IndexOrder.Id, descending, page, perPage));
                Assert.Equal(expected.Count, got.TotalResults);
                Assert.Equal(expected.Skip((page - 1) * perPage).Take(perPage), got.Entries);
            }
        }
    }

    [Fact]
    public void ManyEntriesStayCheapToChangeAndPage()
    {
        var table = new IndexTable();
        for (var i = 0; i < 50_000; i++)
        {
            table.Put(new IndexEntry(Guid.NewGuid(), $"app-{i}", "s", T0.AddTicks(i), []));
        }

        var last = table.Query(new IndexQuery([], [], [], IndexOrder.Name, true, 500, 100));

        Assert.Equal(100, last.Entries.Length);
        Assert.Equal("app-0", last.Entries[^1].Name);
    }
}

internal static class IndexEntryTestExtensions
{
    public static IndexEntry WithoutTags(this IndexEntry entry) => entry with { Tags = ImmutableArray<string>.Empty };
}

using System.Collections.Immutable;

namespace CloudController.Tests.Storage;

/// <summary>A grain state shaped like ours: init-only record, enum, immutable collections, optional large payload.</summary>
[GenerateSerializer, Alias("CloudController.Tests.Storage.TestState")]
public sealed record TestState
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public int Counter { get; init; }
    [Id(2)] public ImmutableDictionary<string, string> Tags { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(3)] public DayOfWeek Day { get; init; }
    [Id(4)] public string? Payload { get; init; }
    [Id(5)] public DateTimeOffset At { get; init; }
}

/// <summary>The runtime's view of one grain's state, as it hands it to a storage provider.</summary>
public sealed class TestGrainState<T> : IGrainState<T>
    where T : new()
{
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public T State { get; set; } = new();

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}

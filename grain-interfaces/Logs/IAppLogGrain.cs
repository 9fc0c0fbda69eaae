using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Logs;

/// <summary>
/// An app's recent log lines (key: the app's guid), kept in memory and bounded like Log Cache: what staging did
/// (<c>STG</c>), what the runtime did with its instances (<c>CELL</c>, <c>APP/PROC/WEB</c>) and what the API did
/// (<c>API</c>). Lost with the silo, as Log Cache's are.
/// </summary>
[Alias("CloudController.GrainInterfaces.Logs.IAppLogGrain")]
public interface IAppLogGrain : IGrainWithGuidKey
{
    [Alias("AppendAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task AppendAsync(ImmutableArray<LogLine> lines);

    /// <summary>Lines with <c>earliest &lt;= timestamp &lt;= latest</c>, newest first when descending, at most <paramref name="limit"/>.</summary>
    [Alias("ReadAsync"), Orleans.Concurrency.ReadOnly]
    Task<ImmutableArray<LogLine>> ReadAsync(DateTimeOffset earliest, DateTimeOffset latest, int limit, bool descending);
}

/// <summary>One log line: when, from where (<c>STG</c>, <c>CELL</c>, <c>API</c>, <c>APP/PROC/WEB</c>), which instance, what.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Logs.LogLine")]
public sealed record LogLine(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] string SourceType,
    [property: Id(2)] string InstanceId,
    [property: Id(3)] string Message,
    [property: Id(4)] bool IsError);

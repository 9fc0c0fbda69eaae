using CloudController.Grains.Storage;

namespace CloudController.Grains.Apps;

/// <summary>Persisted form of an app's grain. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Apps.AppGrainState")]
public sealed record AppGrainState
{
    /// <summary>The app as schema 1 stored it; only read (and migrated) for blobs written before <see cref="Stored"/>.</summary>
    [Id(0)] public AppRecordV1? App { get; init; }

    /// <summary>A v3 droplet holding the app's staging slot (v2 staging uses <see cref="StoredApp.Staging"/>).</summary>
    [Id(1)] public Guid? V3StagingDroplet { get; init; }

    /// <summary>The organization of the app's space, kept for its quota; null for apps stored before it was.</summary>
    [Id(2)] public Guid? OrganizationGuid { get; init; }

    /// <summary>The app (schema 2).</summary>
    [Id(3)] public StoredApp? Stored { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(4)] public Outstanding? Outstanding { get; init; }

    /// <summary>The schema of <see cref="Stored"/> (2; 0 for blobs of schema 1).</summary>
    [Id(5)] public int Schema { get; init; }

    /// <summary>The app in schema 2, whichever schema stored it; null when there is none.</summary>
    public StoredApp? Current => Stored ?? App?.Migrate();

    /// <summary>This state holding <paramref name="app"/> in schema 2 (the schema-1 copy dropped).</summary>
    public AppGrainState With(StoredApp app) => this with { Stored = app, App = null, Schema = StoredApp.Schema };
}

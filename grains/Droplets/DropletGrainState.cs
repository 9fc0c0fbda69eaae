using CloudController.GrainInterfaces.Droplets;

namespace CloudController.Grains.Droplets;

/// <summary>Persisted form of a droplet. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Droplets.DropletGrainState")]
public sealed record DropletGrainState
{
    [Id(0)] public StagingRequest? Request { get; init; }
    [Id(1)] public DropletSnapshot? Droplet { get; init; }
    [Id(2)] public bool AppNotified { get; init; }
    /// <summary>Attempts made at staging, across activations.</summary>
    [Id(3)] public int Attempts { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(4)] public Storage.Outstanding? Outstanding { get; init; }
}

namespace CloudController.GrainInterfaces.Bits;

/// <summary>A stored package zip: its blob (<c>packages/&lt;guid&gt;</c>), sha1 and size. Grains pass this, never bytes.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Bits.PackageInfo")]
public sealed record PackageInfo(Guid PackageGuid, string Sha1, long Size);

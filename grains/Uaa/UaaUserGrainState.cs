using CloudController.GrainInterfaces.Uaa;

namespace CloudController.Grains.Uaa;

/// <summary>Persisted form of a UAA user: the SCIM view and the salted password hash (never the password).</summary>
[GenerateSerializer, Alias("CloudController.Grains.Uaa.UaaUserGrainState")]
public sealed record UaaUserGrainState
{
    [Id(0)] public UaaUserSnapshot? User { get; init; }

    [Id(1)] public string PasswordHash { get; init; } = "";

    /// <summary>Raised by every password change: refresh tokens issued before it stop working.</summary>
    [Id(2)] public int TokenGeneration { get; init; }
}

using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Uaa;

/// <summary>A UAA user as SCIM shows it; never carries the password or its hash.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Uaa.UaaUserSnapshot")]
public sealed record UaaUserSnapshot(
    Guid Id,
    string UserName,
    string Origin,
    string? GivenName,
    string? FamilyName,
    ImmutableArray<string> Emails,
    ImmutableArray<string> Scopes,
    DateTimeOffset Created,
    DateTimeOffset LastModified);

/// <summary>A new user: the password arrives already hashed (the API hashes it; the clear text goes no further).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Uaa.CreateUaaUser")]
public sealed record CreateUaaUser(
    string UserName,
    string PasswordHash,
    string Origin,
    string? GivenName,
    string? FamilyName,
    ImmutableArray<string> Emails,
    ImmutableArray<string> Scopes);

/// <summary>What a password login checks against, and the token generation refresh tokens must carry.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Uaa.UaaCredentials")]
public sealed record UaaCredentials(UaaUserSnapshot User, string PasswordHash, int TokenGeneration = 0);

namespace CloudController.Api.Platform;

/// <summary>A stack from the catalog; its guid derives from its name, so it is the same on every api instance.</summary>
internal sealed record Stack(Guid Guid, string Name, string Description, DateTimeOffset CreatedAt);

namespace CloudController.Api.Resources;

/// <summary>The v2 envelope: <c>metadata</c> (guid, relative url, timestamps) and <c>entity</c>.</summary>
internal sealed record V2Resource<TEntity>(V2Metadata Metadata, TEntity Entity);

internal sealed record V2Metadata(Guid Guid, string Url, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

internal static class V2Resource
{
    public static V2Resource<TEntity> Of<TEntity>(string collection, Guid guid, DateTimeOffset createdAt, DateTimeOffset? updatedAt, TEntity entity) =>
        new(new V2Metadata(guid, $"/v2/{collection}/{guid}", createdAt, updatedAt), entity);
}

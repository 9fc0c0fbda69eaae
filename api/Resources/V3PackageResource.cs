using System.Text.Json.Serialization;
using CloudController.GrainInterfaces.Packages;

namespace CloudController.Api.Resources;

/// <summary>The v3 package, seed-era shape (spec 3.3): type, hash, url, state, error, timestamps, <c>_links</c>.</summary>
internal sealed record V3PackageResource(
    Guid Guid,
    string Type,
    V3Hash Hash,
    string? Url,
    string State,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Link> Links)
{
    public static V3PackageResource From(PackageSnapshot p)
    {
        var self = $"/v3/packages/{p.Guid}";
        var links = new Dictionary<string, Link> { ["self"] = new(self) };
        if (p.Type == PackageType.Bits)
        {
            links["upload"] = new($"{self}/upload", "POST");
            links["download"] = new($"{self}/download", "GET");
            links["stage"] = new($"{self}/droplets", "POST");
        }

        links["app"] = new($"/v3/apps/{p.AppGuid}");
        return new V3PackageResource(
            p.Guid, p.Type.ToString().ToLowerInvariant(), new V3Hash("sha1", p.Bits?.Sha1), p.Url,
            AppEntity.Upper(p.State), p.Error, p.CreatedAt, p.UpdatedAt, links);
    }
}

internal sealed record V3Hash(string Type, string? Value);

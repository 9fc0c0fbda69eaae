using System.Globalization;
using CloudController.Api.Resources;

namespace CloudController.Api.Paging;

/// <summary>The v3 list shape: <c>pagination</c> (first/last/next/previous hrefs) and <c>resources</c>.</summary>
internal sealed record V3Page<TResource>(V3Pagination Pagination, IReadOnlyList<TResource> Resources)
{
    /// <summary>The resources an <c>include=</c> asked for, by kind (<c>users</c>, <c>spaces</c>, ...); absent when none was asked.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, IReadOnlyList<object>>? Included { get; init; }

    public static V3Page<TResource> Create(string baseUrl, string path, V3ListQuery query, int totalResults, IReadOnlyList<TResource> resources)
    {
        var lastPage = Math.Max(1, (int)Math.Ceiling(totalResults / (double)query.PerPage));
        return new V3Page<TResource>(
            new V3Pagination(
                totalResults,
                lastPage,
                Href(baseUrl, path, query, 1),
                Href(baseUrl, path, query, lastPage),
                query.Page < lastPage ? Href(baseUrl, path, query, query.Page + 1) : null,
                query.Page > 1 ? Href(baseUrl, path, query, Math.Min(query.Page - 1, lastPage)) : null),
            resources);
    }

    private static Link Href(string baseUrl, string path, V3ListQuery query, int page)
    {
        var parts = new List<string>
        {
            $"page={page.ToString(CultureInfo.InvariantCulture)}",
            $"per_page={query.PerPage.ToString(CultureInfo.InvariantCulture)}",
        };
        if (query.OrderByText is not null)
        {
            parts.Add($"order_by={Uri.EscapeDataString(query.OrderByText)}");
        }

        parts.AddRange(query.Filters.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => $"{f.Key}={Uri.EscapeDataString(string.Join(',', f.Value))}"));
        return new Link($"{baseUrl}{path}?{string.Join('&', parts)}");
    }
}

internal sealed record V3Pagination(int TotalResults, int TotalPages, Link First, Link Last, Link? Next, Link? Previous);

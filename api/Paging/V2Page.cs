using System.Globalization;
using CloudController.Api.Resources;

namespace CloudController.Api.Paging;

/// <summary>The v2 list shape (paginated_collection_renderer.rb) with relative next/prev URLs, keys sorted.</summary>
internal sealed record V2Page<TEntity>(int TotalResults, int TotalPages, string? PrevUrl, string? NextUrl, IReadOnlyList<V2Resource<TEntity>> Resources)
{
    public static V2Page<TEntity> Create(string path, V2ListQuery query, int totalResults, IReadOnlyList<V2Resource<TEntity>> resources)
    {
        var totalPages = (int)Math.Ceiling(totalResults / (double)query.PerPage);
        return new V2Page<TEntity>(
            totalResults,
            totalPages,
            query.Page > 1 ? Url(path, query, query.Page - 1) : null,
            query.Page < totalPages ? Url(path, query, query.Page + 1) : null,
            resources);
    }

    private static string Url(string path, V2ListQuery query, int page)
    {
        var parts = new List<(string Key, string Value)>
        {
            ("order-direction", query.Descending ? "desc" : "asc"),
            ("page", page.ToString(CultureInfo.InvariantCulture)),
            ("results-per-page", query.PerPage.ToString(CultureInfo.InvariantCulture)),
        };
        if (query.OrderBy is not null)
        {
            parts.Add(("order-by", query.OrderBy));
        }

        parts.AddRange(query.RawQ.Select(q => ("q", q)));
        var ordered = parts.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}");
        return $"{path}?{string.Join('&', ordered)}";
    }
}

using System.Collections.Immutable;
using System.Globalization;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Lists;

namespace CloudController.Api.Paging;

/// <summary>
/// v3 list parameters: <c>page</c> (&gt; 0), <c>per_page</c> (1..5000), <c>order_by</c> (<c>created_at</c>,
/// <c>updated_at</c>, <c>name</c>, with an optional <c>+</c>/<c>-</c>) and comma-list filters; anything else is
/// 400 BadQueryParameter.
/// </summary>
internal sealed record V3ListQuery(int Page, int PerPage, string? OrderByText, ImmutableDictionary<string, ImmutableArray<string>> Filters)
{
    public const int DefaultPerPage = 50;
    public const int MaxPerPage = 5000;

    private static readonly string[] Paging = ["page", "per_page", "order_by"];

    private static readonly string[] CommonOrders = ["created_at", "updated_at", "name"];

    /// <summary>Parses and checks the query; <paramref name="orders"/> are order fields beyond CC's common ones (<c>position</c>).</summary>
    public static V3ListQuery Parse(IQueryCollection query, IReadOnlyCollection<string> filterKeys, IReadOnlyCollection<string>? orders = null)
    {
        var unknown = query.Keys.Where(k => !Paging.Contains(k) && !filterKeys.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw CloudControllerException.BadQuery($"Unknown query parameter(s): '{string.Join("', '", unknown)}'");
        }

        var page = Int(query, "page", 1);
        if (page < 1)
        {
            throw CloudControllerException.BadQuery("Page must be greater than 0");
        }

        var perPage = Int(query, "per_page", DefaultPerPage);
        if (perPage is < 1 or > MaxPerPage)
        {
            throw CloudControllerException.BadQuery($"Per page must be between 1 and {MaxPerPage}");
        }

        var orderBy = query["order_by"].ToString();
        if (orderBy.Length > 0 && orderBy.TrimStart('+', '-') is not ("created_at" or "updated_at" or "name") && orders?.Contains(orderBy.TrimStart('+', '-')) != true)
        {
            throw CloudControllerException.BadQuery($"Order by can only be: '{string.Join("', '", CommonOrders.Concat(orders ?? []))}'");
        }

        var filters = filterKeys
            .Where(query.ContainsKey)
            .ToImmutableDictionary(k => k, k => query[k].ToString().Split(',').ToImmutableArray());
        return new V3ListQuery(page, perPage, orderBy.Length == 0 ? null : orderBy, filters);
    }

    public ImmutableArray<string> ValuesOf(string key) => Filters.TryGetValue(key, out var values) ? values : [];

    /// <summary>The order field asked for, without its direction; null for the default.</summary>
    public string? OrderField => OrderByText?.TrimStart('+', '-');

    /// <summary>Guid values of a filter; a value that is not a guid can match nothing.</summary>
    public ImmutableArray<Guid> GuidsOf(string key) =>
        [.. ValuesOf(key).Select(v => Endpoints.RouteGuid.TryParse(v, out var g) ? g : Guid.Empty)];

    /// <summary>The page asked for; <c>created_at</c> (the default) is creation order.</summary>
    public ListWindow Window => new(
        OrderByText?.TrimStart('+', '-') switch { "name" => ListOrder.Name, "updated_at" => ListOrder.Updated, _ => ListOrder.Created },
        OrderByText?.StartsWith('-') == true, Page, PerPage);

    private static int Int(IQueryCollection query, string name, int fallback)
    {
        var text = query[name].ToString();
        return text.Length == 0
            ? fallback
            : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw CloudControllerException.BadQuery($"{name} must be an integer");
    }
}

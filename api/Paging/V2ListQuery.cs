using System.Collections.Immutable;
using System.Globalization;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Lists;

namespace CloudController.Api.Paging;

/// <summary>
/// v2 list parameters (common_params.rb): <c>page</c>, <c>results-per-page</c> (max 100), <c>order-direction</c>,
/// <c>order-by</c>, <c>inline-relations-depth</c> (max 3) and <c>q</c> filters; bad values are 400 BadQueryParameter.
/// </summary>
internal sealed record V2ListQuery(int Page, int PerPage, bool Descending, string? OrderBy, ImmutableArray<V2Filter> Filters, ImmutableArray<string> RawQ)
{
    public const int DefaultPerPage = 50;
    public const int MaxPerPage = 100;

    public static V2ListQuery Parse(
        IQueryCollection query, IReadOnlyCollection<string> filterKeys, IReadOnlyCollection<string> orderKeys, IReadOnlyCollection<string>? comparableKeys = null)
    {
        var page = PositiveInt(query, "page", 1);
        var perPage = PositiveInt(query, "results-per-page", DefaultPerPage);
        if (perPage > MaxPerPage)
        {
            throw CloudControllerException.BadQuery($"results_per_page must be <= {MaxPerPage}");
        }

        var direction = query["order-direction"].ToString();
        if (direction is not ("" or "asc" or "desc"))
        {
            throw CloudControllerException.BadQuery("order-direction must be 'asc' or 'desc'");
        }

        var orderBy = query["order-by"].ToString();
        if (orderBy.Length > 0 && orderBy != "id" && !orderKeys.Contains(orderBy))
        {
            throw new CloudControllerException(CfErrorCode.OrderByParameterInvalid, $"Cannot order by: {orderBy}");
        }

        if (query.ContainsKey("inline-relations-depth") && PositiveInt(query, "inline-relations-depth", 0, allowZero: true) > 3)
        {
            throw CloudControllerException.BadQuery("inline_relations_depth must be <= 3");
        }

        var raw = query["q"].Where(q => !string.IsNullOrEmpty(q)).Select(q => q!).ToImmutableArray();
        var filters = raw.SelectMany(SplitFilters).Select(f => ParseFilter(f, filterKeys, comparableKeys ?? [])).ToImmutableArray();
        return new V2ListQuery(page, perPage, direction == "desc", orderBy.Length == 0 ? null : orderBy, filters, raw);
    }

    /// <summary>Values of the filters on <paramref name="key"/>; several filters on one key must all hold, so their values intersect.</summary>
    public ImmutableArray<string> ValuesOf(string key)
    {
        IEnumerable<string>? values = null;
        foreach (var filter in Filters.Where(f => f.Key == key && f.Operator == ":"))
        {
            values = values is null ? filter.Values : values.Intersect(filter.Values, StringComparer.Ordinal);
        }

        // An empty intersection must match nothing, while an empty filter list means "no filter": use a value no name has.
        return values is null ? [] : [.. values.DefaultIfEmpty("\0")];
    }

    /// <summary>Guid values of a filter; a value that is not a guid can match nothing.</summary>
    public ImmutableArray<Guid> GuidsOf(string key) =>
        [.. ValuesOf(key).Select(v => Endpoints.RouteGuid.TryParse(v, out var g) ? g : Guid.Empty)];

    /// <summary>The page asked for; <c>id</c> (the default) is creation order.</summary>
    public ListWindow Window => new(OrderBy == "name" ? ListOrder.Name : ListOrder.Created, Descending, Page, PerPage);

    private static IEnumerable<string> SplitFilters(string q)
    {
        // Filters are ';'-separated; ';;' stands for a literal ';'.
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < q.Length; i++)
        {
            if (q[i] == ';' && i + 1 < q.Length && q[i + 1] == ';')
            {
                current.Append(';');
                i++;
            }
            else if (q[i] == ';')
            {
                yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(q[i]);
            }
        }

        yield return current.ToString();
    }

    private static V2Filter ParseFilter(string filter, IReadOnlyCollection<string> filterKeys, IReadOnlyCollection<string> comparableKeys)
    {
        var inAt = filter.IndexOf(" IN ", StringComparison.Ordinal);
        var colonAt = filter.IndexOf(':', StringComparison.Ordinal);
        var operatorAt = filter.IndexOfAny(['<', '>']);
        string key;
        IReadOnlyList<string> values;
        if (inAt > 0 && (colonAt < 0 || inAt < colonAt))
        {
            key = filter[..inAt];
            values = filter[(inAt + 4)..].Split(',');
        }
        else if (colonAt > 0 && (operatorAt < 0 || colonAt < operatorAt))
        {
            key = filter[..colonAt];
            values = [filter[(colonAt + 1)..]];
        }
        else if (operatorAt > 0 && comparableKeys.Contains(filter[..operatorAt]))
        {
            var op = operatorAt + 1 < filter.Length && filter[operatorAt + 1] == '=' ? filter.Substring(operatorAt, 2) : filter.Substring(operatorAt, 1);
            return new V2Filter(filter[..operatorAt], [filter[(operatorAt + op.Length)..]]) { Operator = op };
        }
        else
        {
            key = operatorAt > 0 ? filter[..operatorAt] : filter;
            throw CloudControllerException.BadQuery(filterKeys.Contains(key) ? $"{key} supports only ':' and ' IN ' filters" : key);
        }

        return filterKeys.Contains(key) ? new V2Filter(key, values) : throw CloudControllerException.BadQuery(key);
    }

    private static int PositiveInt(IQueryCollection query, string name, int fallback, bool allowZero = false)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0))
            ? value
            : throw CloudControllerException.BadQuery($"{name.Replace('-', '_')} must be a positive integer");
    }
}

namespace CloudController.Api.Endpoints;

/// <summary>
/// Route guids are taken as text so that a malformed one is the resource's own not-found, as in CF. Only the canonical
/// spelling (lower-case, with dashes) names a resource: CF looks guids up as strings, so <c>{…}</c>, no dashes or
/// upper case find nothing.
/// </summary>
internal static class RouteGuid
{
    public static Guid Parse(string text, Func<string, Exception> notFound) =>
        TryParse(text, out var guid) ? guid : throw notFound(text);

    public static bool TryParse(string? text, out Guid guid) =>
        Guid.TryParseExact(text, "D", out guid) && string.Equals(text, guid.ToString("D"), StringComparison.Ordinal);
}

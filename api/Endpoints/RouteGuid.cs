namespace CloudController.Api.Endpoints;

/// <summary>Route guids are taken as text so that a malformed one is the resource's own not-found, as in CF.</summary>
internal static class RouteGuid
{
    public static Guid Parse(string text, Func<string, Exception> notFound) =>
        Guid.TryParse(text, out var guid) ? guid : throw notFound(text);
}

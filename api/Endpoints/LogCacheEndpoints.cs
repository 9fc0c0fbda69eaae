using System.Globalization;
using System.Text;
using CloudController.Api.Auth;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Logs;

namespace CloudController.Api.Endpoints;

/// <summary>
/// A Log Cache–compatible read API (what <c>cf push</c>, <c>cf logs --recent</c> and <c>cf logs</c> read), advertised
/// as <c>links.log_cache</c> of <c>GET /</c>: <c>GET /api/v1/info</c> and <c>GET /api/v1/read/:source_id</c> (the source
/// is an app guid) with <c>start_time</c>, <c>end_time</c> (Unix nanoseconds), <c>limit</c> (≤ 1000),
/// <c>descending</c> and <c>envelope_types</c>, answering jsonpb envelopes. Bearer token required; a caller reads only
/// apps it may read.
/// </summary>
internal static class LogCacheEndpoints
{
    public const string Version = "2.11.4";

    public static IEndpointRouteBuilder MapLogCache(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/info", () => TypedResults.Ok(new { version = Version, vm_uptime = "0" })).RequireCf(CfAccess.Read);
        routes.MapGet("/api/v1/read/{source}", ReadAsync).RequireCf(CfAccess.Read);
        return routes;
    }

    private static async Task<IResult> ReadAsync(string source, HttpContext http, IGrainFactory grains)
    {
        if (!RouteGuid.TryParse(source, out var app))
        {
            return TypedResults.Ok(Envelopes([], source));
        }

        await http.RequireAsync(AccessKind.App, app, AccessNeed.Read);
        if (await grains.GetGrain<GrainInterfaces.Apps.IAppGrain>(app).FindAsync() is null)
        {
            throw CloudControllerException.AppNotFound(app);
        }

        var query = http.Request.Query;
        var start = Nanos(query["start_time"], DateTimeOffset.UnixEpoch, roundUp: true);
        var end = Nanos(query["end_time"], DateTimeOffset.MaxValue, roundUp: false);
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 100;
        if (limit is < 1 or > 1000)
        {
            throw CloudControllerException.BadQuery("limit must be between 1 and 1000");
        }

        var types = query["envelope_types"].SelectMany(t => (t ?? "").Split(',')).Where(t => t.Length > 0).ToList();
        if (types.Count > 0 && !types.Contains("LOG", StringComparer.OrdinalIgnoreCase) && !types.Contains("ANY", StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Ok(Envelopes([], source));
        }

        var lines = await grains.GetGrain<IAppLogGrain>(app).ReadAsync(start, end, limit,
            string.Equals(query["descending"], "true", StringComparison.OrdinalIgnoreCase));
        return TypedResults.Ok(Envelopes(lines, source));
    }

    private static object Envelopes(IEnumerable<LogLine> lines, string source) => new
    {
        envelopes = new
        {
            batch = lines.Select(line => new
            {
                timestamp = ((line.Timestamp - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture),
                source_id = source,
                instance_id = line.InstanceId,
                tags = new Dictionary<string, string> { ["source_type"] = line.SourceType },
                log = new { payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(line.Message)), type = line.IsError ? "ERR" : "OUT" },
            }).ToList(),
        },
    };

    /// <summary>A Unix time in nanoseconds as a time (100 ns ticks): a start rounds up, so "after the last line I saw" excludes it.</summary>
    private static DateTimeOffset Nanos(string? text, DateTimeOffset fallback, bool roundUp)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var nanos))
        {
            throw CloudControllerException.BadQuery("start_time and end_time are Unix times in nanoseconds");
        }

        var ticks = roundUp ? (nanos / 100) + (nanos % 100 > 0 ? 1 : 0) : nanos / 100;
        return nanos <= 0 ? DateTimeOffset.UnixEpoch : DateTimeOffset.UnixEpoch.AddTicks(Math.Min(ticks, DateTimeOffset.MaxValue.Ticks - DateTimeOffset.UnixEpoch.Ticks));
    }
}

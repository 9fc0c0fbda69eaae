using CloudController.Api.Json;
using CloudController.Api.Resources;

namespace CloudController.Api.Endpoints;

/// <summary>
/// How a v2 delete answers. With <c>?async=true</c> (what <c>cf delete-space</c> and <c>delete-org</c> send) CF
/// answers 202 with the deletion's job, which the client polls; this server has finished the deletion before it
/// answers, so the job is CF's finished one (guid "0", which <c>GET /v2/jobs/0</c> also reads as finished).
/// Without it, 204.
/// </summary>
internal static class AsyncDeletion
{
    public static IResult Answer(HttpContext http) =>
        string.Equals(http.Request.Query["async"], "true", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Json(V2Job.Null, CfJson.Options, statusCode: 202)
            : TypedResults.NoContent();
}

using System.Text.Json.Serialization;
using CloudController.Api.Errors;
using CloudController.GrainInterfaces.Jobs;

namespace CloudController.Api.Resources;

/// <summary>The v2 job (spec 1.4). Finished and unknown jobs read as CF's "null job" (guid "0").</summary>
internal sealed record V2Job(V2JobMetadata Metadata, V2JobEntity Entity)
{
    private const string DeprecatedError = "Use of entity>error is deprecated in favor of entity>error_details.";

    public static V2Job Null { get; } = new(
        new V2JobMetadata("0", DateTimeOffset.UnixEpoch, "/v2/jobs/0"), new V2JobEntity("0", "finished", null, null));

    public static V2Job From(JobSnapshot? job)
    {
        if (job is null || job.Status == JobStatus.Finished)
        {
            return Null;
        }

        var guid = job.Guid.ToString("D");
        var details = job.Error is { } e ? new CfErrorResult(0, e.Code, e.Description) : null;
        return new V2Job(
            new V2JobMetadata(guid, job.CreatedAt, $"/v2/jobs/{guid}"),
            new V2JobEntity(guid, job.Status.ToString().ToLowerInvariant(), details is null ? null : DeprecatedError,
                details is null ? null : new V2JobErrorDetails((int)details.Code, details.Description, details.Name)));
    }
}

internal sealed record V2JobMetadata(string Guid, DateTimeOffset CreatedAt, string Url);

internal sealed record V2JobEntity(
    string Guid,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] V2JobErrorDetails? ErrorDetails);

internal sealed record V2JobErrorDetails(int Code, string Description, string ErrorCode);

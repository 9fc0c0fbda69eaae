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

/// <summary>
/// The v3 job (<c>GET /v3/jobs/:guid</c>): the same durable record as v2's job, in v3's shape. v3 has no "queued":
/// a job not yet ended is PROCESSING.
/// </summary>
internal sealed record V3Job(
    Guid Guid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Operation,
    string State,
    IReadOnlyList<V3JobError> Errors,
    IReadOnlyList<V3JobWarning> Warnings,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3Job From(JobSnapshot job, string baseUrl)
    {
        var links = new Dictionary<string, Link> { ["self"] = new($"{baseUrl}/v3/jobs/{job.Guid}") };
        if (job.Target is { } target && job.Operation?.Split('.')[0] is { } kind && Collections.GetValueOrDefault(kind) is { } collection)
        {
            links[kind] = new($"{baseUrl}/v3/{collection}/{target}");
        }

        IReadOnlyList<V3JobError> errors = job.Error is { } e
            && CfErrors.ForVersion(new CfErrorResult(CfErrors.StatusOf(e.Code), e.Code, e.Description), Http.ApiVersion.V3) is var v3
            ? [new V3JobError(v3.Number, v3.Name, v3.Description)]
            : [];
        return new V3Job(job.Guid, job.CreatedAt, job.UpdatedAt ?? job.CreatedAt, job.Operation ?? "job", job.Status switch
        {
            JobStatus.Finished => "COMPLETE",
            JobStatus.Failed => "FAILED",
            _ => "PROCESSING",
        }, errors, [], links);
    }

    private static readonly Dictionary<string, string> Collections = new(StringComparer.Ordinal)
    {
        ["organization"] = "organizations",
        ["space"] = "spaces",
        ["app"] = "apps",
        ["route"] = "routes",
        ["domain"] = "domains",
        ["user"] = "users",
        ["role"] = "roles",
        ["organization_quota"] = "organization_quotas",
        ["buildpack"] = "buildpacks",
        ["droplet"] = "droplets",
    };
}

internal sealed record V3JobError(int Code, string Title, string Detail);

internal sealed record V3JobWarning(string Detail);

using CloudController.GrainInterfaces.Errors;

namespace CloudController.GrainInterfaces.Jobs;

/// <summary>Why a job failed: the CF error it would have answered synchronously.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobError")]
public sealed record JobError(CfErrorCode Code, string Description);

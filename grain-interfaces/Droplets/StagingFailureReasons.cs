namespace CloudController.GrainInterfaces.Droplets;

/// <summary>CF's <c>staging_failed_reason</c> values this server produces, in one place.</summary>
public static class StagingFailureReasons
{
    /// <summary>Staging itself failed (the package is gone, the work failed or timed out too often).</summary>
    public const string StagingError = "StagingError";

    /// <summary>No buildpack recognised the app.</summary>
    public const string NoAppDetectedError = "NoAppDetectedError";
}

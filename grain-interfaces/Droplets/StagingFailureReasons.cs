namespace CloudController.GrainInterfaces.Droplets;

/// <summary>CF's <c>staging_failed_reason</c> values this server produces, in one place.</summary>
public static class StagingFailureReasons
{
    /// <summary>Staging itself failed (the package is gone, the work failed or timed out too often).</summary>
    public const string StagingError = "StagingError";

    /// <summary>No buildpack recognised the app.</summary>
    public const string NoAppDetectedError = "NoAppDetectedError";

    /// <summary>The buildpack's compile (or supply, or finalize) step failed.</summary>
    public const string BuildpackCompileFailed = "BuildpackCompileFailed";

    /// <summary>The buildpack's release step failed or answered no readable YAML.</summary>
    public const string BuildpackReleaseFailed = "BuildpackReleaseFailed";

    /// <summary>Staging ran longer than the staging timeout.</summary>
    public const string StagingTimeExpired = "StagingTimeExpired";
}

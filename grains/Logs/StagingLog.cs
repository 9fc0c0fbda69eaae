using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Logs;

namespace CloudController.Grains.Logs;

/// <summary>What staging tells the app's log (source <c>STG</c>): that it began, and what it found or why it failed.</summary>
internal static class StagingLog
{
    public static Task BeginAsync(IGrainFactory grains, DropletSnapshot droplet, int attempt, DateTimeOffset now) =>
        grains.GetGrain<IAppLogGrain>(droplet.AppGuid).AppendAsync(
        [
            Line(now, 0, $"Staging droplet {droplet.Guid} from package {droplet.PackageGuid}{(attempt > 1 ? $" (attempt {attempt})" : "")}...", false),
            Line(now, 1, droplet.Request?.Buildpack is { } buildpack ? $"Using buildpack {buildpack}" : "Detecting buildpack...", false),
        ]);

    public static Task OutcomeAsync(IGrainFactory grains, DropletSnapshot droplet, DateTimeOffset now) =>
        grains.GetGrain<IAppLogGrain>(droplet.AppGuid).AppendAsync(droplet.State == DropletState.Staged
            ?
            [
                Line(now, 0, $"Buildpack: {droplet.Buildpack}", false),
                Line(now, 1, $"Start command: {droplet.StartCommand}", false),
                Line(now, 2, $"Droplet size: {droplet.Blob?.Size ?? 0} bytes", false),
                Line(now, 3, "Staging complete", false),
            ]
            :
            [
                Line(now, 0, $"Staging failed: {droplet.FailureReason}: {droplet.Error}", true),
            ]);

    /// <summary>A line; lines written together are a tick apart, so each has its own time and their order holds.</summary>
    private static LogLine Line(DateTimeOffset at, int order, string message, bool error) => new(at.AddTicks(order), "STG", "0", message, error);
}

using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Events;
using CloudController.Grains.Apps;

namespace CloudController.Grains.Events;

/// <summary>
/// App usage events (CC's <c>app_usage_events</c>, what billing reads): STARTED and STOPPED when an app's state
/// changes and BUILDPACK_SET when it takes a new droplet, with its instance count and memory. They travel in the
/// app's outbox with its audit events, so they are written because the state change was stored, never without it. In the trail they have a partition of their own
/// (<see cref="Partition"/>) with the event's guid as row key: the guids are time-ordered (version 7), so the
/// partition reads oldest first and <c>after_guid</c> is a row-key bound.
/// </summary>
public static class UsageEvents
{
    public const string TypePrefix = "app_usage.";
    public const string Partition = "usage";

    /// <summary>The STARTED event a purge reseeds for app <paramref name="app"/>, started now; its previous values are its current ones.</summary>
    public static AuditEvent Reseeded(AppSnapshot app, Guid? organization, DateTimeOffset now)
    {
        var package = app.PackageState.ToString().ToUpperInvariant();
        var metadata = Metadata("STARTED", "STARTED", (app.Instances, app.Instances), (app.Memory, app.Memory), (package, package), app.Buildpack ?? app.DetectedBuildpack, app.Guid);
        return new AuditEvent(Guid.CreateVersion7(now), TypePrefix + "STARTED", "", "", "", app.Guid.ToString("D"), "app", app.Name, now,
            metadata.ToJsonString(), app.SpaceGuid, organization);
    }

    public static bool IsUsage(AuditEvent e) => e.Type.StartsWith(TypePrefix, StringComparison.Ordinal);

    /// <summary>
    /// The usage events a change from <paramref name="current"/> to <paramref name="next"/> owes: BUILDPACK_SET when
    /// the app takes a new current droplet (the outcome of a staging, or one set by hand), then STARTED or STOPPED when
    /// its state changed. None for any other change.
    /// </summary>
    public static IEnumerable<AuditEvent> Between(Guid app, StoredApp current, StoredApp next, Guid? organization, DateTimeOffset now)
    {
        var droplet = next.CurrentDropletGuid is not null && next.CurrentDropletGuid != current.CurrentDropletGuid;
        if (droplet)
        {
            yield return Event(app, current, next, "BUILDPACK_SET", organization, now);
        }

        if (current.State != next.State)
        {
            // After a BUILDPACK_SET a millisecond later, so its version-7 guid sorts after the droplet it started.
            yield return Event(app, current, next, next.State == AppState.Started ? "STARTED" : "STOPPED", organization, droplet ? now.AddMilliseconds(1) : now);
        }
    }

    private static AuditEvent Event(Guid app, StoredApp current, StoredApp next, string state, Guid? organization, DateTimeOffset now)
    {
        var (before, after) = (Web(current), Web(next));
        var metadata = Metadata(state, current.State == AppState.Started ? "STARTED" : "STOPPED", (after?.Instances ?? 0, before?.Instances ?? 0),
            (after?.Memory ?? 0, before?.Memory ?? 0), (next.PackageState.ToString().ToUpperInvariant(), current.PackageState.ToString().ToUpperInvariant()),
            next.Buildpack ?? next.DetectedBuildpack, app);
        return new AuditEvent(Guid.CreateVersion7(now), TypePrefix + state, "", "", "", app.ToString("D"), "app", next.Name, now,
            metadata.ToJsonString(), next.SpaceGuid, organization);
    }

    private static JsonObject Metadata(
        string state, string previous, (int Now, int Before) instances, (int Now, int Before) memory, (string Now, string Before) package, string? buildpack, Guid app) => new()
    {
        ["state"] = state,
        ["previous_state"] = previous,
        ["instance_count"] = instances.Now,
        ["previous_instance_count"] = instances.Before,
        ["memory_in_mb_per_instance"] = memory.Now,
        ["previous_memory_in_mb_per_instance"] = memory.Before,
        ["package_state"] = package.Now,
        ["previous_package_state"] = package.Before,
        ["buildpack_name"] = buildpack,
        ["process_guid"] = app.ToString("D"),
        ["process_type"] = AppProcess.Web,
    };

    private static AppProcess? Web(StoredApp app) =>
        app.Processes.Select(p => p.ToProcess(app)).FirstOrDefault(p => p.Type == AppProcess.Web);
}

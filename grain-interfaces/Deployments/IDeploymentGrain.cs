using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Deployments;

/// <summary>
/// A rolling deployment of a droplet to a started app (CC's <c>/v3/deployments</c>): the web process is scaled up by one
/// instance, each old instance is restarted on the new droplet only once the instance before it is RUNNING again, and
/// the surge instance goes last, so the app never runs fewer instances than it asked for. It advances on a timer and
/// resumes after a lost silo (a reminder wakes it); a newer deployment of the app supersedes it, cancel returns to
/// the previous droplet.
/// </summary>
[Alias("CloudController.GrainInterfaces.Deployments.IDeploymentGrain")]
public interface IDeploymentGrain : IGrainWithGuidKey
{
    [Alias("CreateAsync")]
    Task<DeploymentSnapshot> CreateAsync(Guid appGuid, Guid dropletGuid, Events.AuditActor? actor);

    [Alias("FindAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<DeploymentSnapshot?> FindAsync();

    [Alias("CancelAsync")]
    Task<DeploymentSnapshot> CancelAsync();

    /// <summary>
    /// Ends an active deployment because a newer one of the app began; answers the instances it was rolling toward
    /// (the newer one's target, since the app may be running one more meanwhile), or null when it had ended.
    /// </summary>
    [Alias("SupersedeAsync")]
    Task<int?> SupersedeAsync();
}

/// <summary>The deployments of one app, newest last (at most <see cref="Max"/>): for lists and for superseding.</summary>
[Alias("CloudController.GrainInterfaces.Deployments.IAppDeploymentsGrain")]
public interface IAppDeploymentsGrain : IGrainWithGuidKey
{
    const int Max = 100;

    [Alias("AddAsync")]
    Task<ImmutableArray<Guid>> AddAsync(Guid deployment);

    [Alias("ListAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<ImmutableArray<Guid>> ListAsync();
}

[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Deployments.DeploymentSnapshot")]
public sealed record DeploymentSnapshot(
    [property: Id(0)] Guid Guid,
    [property: Id(1)] Guid AppGuid,
    [property: Id(2)] Guid DropletGuid,
    [property: Id(3)] Guid? PreviousDropletGuid,
    [property: Id(4)] DeploymentStatus Status,
    [property: Id(5)] Guid WebProcessGuid,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? UpdatedAt)
{
    /// <summary>CC's <c>status.value</c>: ACTIVE while it rolls, FINALIZED once it ended.</summary>
    public string Value => Status is DeploymentStatus.Deploying or DeploymentStatus.Canceling ? "ACTIVE" : "FINALIZED";

    /// <summary>CC's <c>status.reason</c>.</summary>
    public string Reason => Status.ToString().ToUpperInvariant();

    /// <summary>CC's deprecated <c>state</c>.</summary>
    public string State => Status switch
    {
        DeploymentStatus.Deploying => "DEPLOYING",
        DeploymentStatus.Deployed => "DEPLOYED",
        DeploymentStatus.Canceling => "CANCELING",
        DeploymentStatus.Superseded => "DEPLOYED",
        _ => "CANCELED",
    };
}

/// <summary>Where a deployment is. Stored by name: add new ones, never rename.</summary>
public enum DeploymentStatus { Deploying, Deployed, Canceling, Canceled, Superseded }

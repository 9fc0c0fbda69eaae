using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Deployments;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Runtime;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Deployments;

/// <summary>Where a roll is. Stored by name: add new ones, never rename.</summary>
public enum RollPhase { Surge, Roll, Shrink, Done }

/// <summary>Persisted form of a deployment. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Deployments.DeploymentGrainState")]
public sealed record DeploymentGrainState
{
    [Id(0)] public DeploymentSnapshot? Deployment { get; init; }

    /// <summary>The web instances the app asked for when the roll began (what it runs again at the end).</summary>
    [Id(1)] public int Target { get; init; }

    [Id(2)] public RollPhase Phase { get; init; }

    /// <summary>The instance being restarted on the new droplet (Roll).</summary>
    [Id(3)] public int Index { get; init; }

    /// <summary>When that instance's restart was asked for; null until it is.</summary>
    [Id(4)] public DateTimeOffset? RestartedAt { get; init; }

    [Id(5)] public AuditActor? Actor { get; init; }
}

/// <summary>
/// A rolling deployment (see <see cref="IDeploymentGrain"/>). Each step is one idempotent call to the app grain decided
/// from the stored phase and what the runtime reports, taken by a timer while the deployment is active; a reminder
/// wakes the grain after a lost silo, and the roll goes on from its stored phase.
/// </summary>
[GrainType("deployment")]
public sealed partial class DeploymentGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<DeploymentGrainState> state,
    TimeProvider clock,
    ILogger<DeploymentGrain> logger) : Grain, IDeploymentGrain, IRemindable
{
    private const string ReminderName = "deployment";
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private IGrainTimer? _timer;

    private Guid Guid => this.GetPrimaryKey();

    private bool Active => state.State.Deployment?.Status is DeploymentStatus.Deploying or DeploymentStatus.Canceling;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && Active)
        {
            StartTimer();
        }

        return Task.CompletedTask;
    }

    public async Task<DeploymentSnapshot> CreateAsync(Guid appGuid, Guid dropletGuid, AuditActor? actor)
    {
        if (state.RecordExists && state.State.Deployment is { } existing)
        {
            return existing;
        }

        var appGrain = GrainFactory.GetGrain<IAppGrain>(appGuid);
        var droplet = await GrainFactory.GetGrain<IDropletGrain>(dropletGuid).FindAsync();
        if (droplet is not { State: DropletState.Staged } || droplet.AppGuid != appGuid)
        {
            throw CloudControllerException.Unprocessable("Unable to assign current droplet. Ensure the droplet exists and belongs to this app.");
        }

        // A newer deployment supersedes the ones still rolling; the instances they added are this one's to remove.
        var target = (int?)null;
        foreach (var other in await GrainFactory.GetGrain<IAppDeploymentsGrain>(appGuid).AddAsync(Guid))
        {
            if (other != Guid && await GrainFactory.GetGrain<IDeploymentGrain>(other).SupersedeAsync() is { } rolling)
            {
                target = rolling;
            }
        }

        var app = await appGrain.GetAsync();
        var now = clock.GetUtcNow();
        var previous = app.CurrentDropletGuid;
        if (actor is not null)
        {
            AuditContext.Set(actor, null);
        }

        await appGrain.SetCurrentDropletAsync(droplet, whileStarted: true);
        var rolls = app.State == AppState.Started && app.Instances > 0;
        if (!rolls && app.State != AppState.Started)
        {
            // A stopped app simply starts on the new droplet, as CC does.
            await appGrain.SetStateAsync(AppState.Started);
        }

        var deployment = new DeploymentSnapshot(Guid, appGuid, dropletGuid, previous, rolls ? DeploymentStatus.Deploying : DeploymentStatus.Deployed,
            app.Guid, now, now);
        state.State = new DeploymentGrainState
        {
            Deployment = deployment,
            Target = target ?? app.Instances,
            Phase = rolls ? RollPhase.Surge : RollPhase.Done,
            Actor = actor,
        };
        await state.WriteStateAsync();
        if (rolls)
        {
            await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            StartTimer();
        }

        LogCreated(Guid, appGuid, dropletGuid, state.State.Target, rolls);
        return deployment;
    }

    public Task<DeploymentSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.Deployment : null);

    /// <summary>Back to the previous droplet: every instance is rolled again, onto it, and the deployment ends CANCELED.</summary>
    public async Task<DeploymentSnapshot> CancelAsync()
    {
        var deployment = state.State.Deployment ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Deployment not found");
        if (deployment.Status != DeploymentStatus.Deploying)
        {
            throw CloudControllerException.Unprocessable("Cannot cancel a deployment with status: FINALIZED and reason: " + deployment.Reason);
        }

        if (deployment.PreviousDropletGuid is { } previous && await GrainFactory.GetGrain<IDropletGrain>(previous).FindAsync() is { State: DropletState.Staged } droplet)
        {
            await GrainFactory.GetGrain<IAppGrain>(deployment.AppGuid).SetCurrentDropletAsync(droplet, whileStarted: true);
        }

        state.State = state.State with
        {
            Deployment = deployment with { Status = DeploymentStatus.Canceling, UpdatedAt = clock.GetUtcNow() },
            Phase = state.State.Phase == RollPhase.Surge ? RollPhase.Surge : RollPhase.Roll,
            Index = 0,
            RestartedAt = null,
        };
        await state.WriteStateAsync();
        return state.State.Deployment!;
    }

    public async Task<int?> SupersedeAsync()
    {
        if (!Active)
        {
            return null;
        }

        state.State = state.State with
        {
            Deployment = state.State.Deployment! with { Status = DeploymentStatus.Superseded, UpdatedAt = clock.GetUtcNow() },
            Phase = RollPhase.Done,
        };
        await state.WriteStateAsync();
        await StopAsync();
        return state.State.Target;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Active)
        {
            StartTimer();
        }
        else
        {
            await StopAsync();
        }
    }

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(Step, Step) { KeepAlive = true });

    private async Task StopAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>One step of the roll, decided from the stored phase and the runtime's report.</summary>
    private async Task TickAsync()
    {
        if (!Active)
        {
            await StopAsync();
            return;
        }

        var current = state.State;
        var deployment = current.Deployment!;
        var app = GrainFactory.GetGrain<IAppGrain>(deployment.AppGuid);
        if (current.Actor is { } actor)
        {
            AuditContext.Set(actor, null);
        }

        try
        {
            if (await app.FindAsync() is not { State: AppState.Started } snapshot)
            {
                // The app was stopped or deleted meanwhile: nothing is left to roll.
                await EndAsync(deployment.Status == DeploymentStatus.Canceling ? DeploymentStatus.Canceled : DeploymentStatus.Deployed);
                return;
            }

            var report = await app.InstancesAsync(AppProcess.Web);
            switch (current.Phase)
            {
                case RollPhase.Surge when snapshot.Instances < current.Target + 1:
                    try
                    {
                        await app.UpdateProcessAsync(AppProcess.Web, new ProcessFields { Instances = current.Target + 1 }, "audit.app.process.scale");
                    }
                    catch (CloudControllerException)
                    {
                        // No quota for one more instance: roll in place (one instance fewer at a time).
                        await SaveAsync(current with { Phase = RollPhase.Roll, Index = 0, RestartedAt = null });
                    }

                    return;
                case RollPhase.Surge:
                    if (Running(report, current.Target))
                    {
                        await SaveAsync(current with { Phase = RollPhase.Roll, Index = 0, RestartedAt = null });
                    }

                    return;
                case RollPhase.Roll when current.Index >= current.Target:
                    await SaveAsync(current with { Phase = RollPhase.Shrink });
                    return;
                case RollPhase.Roll when current.RestartedAt is null:
                    await app.StopInstanceAsync(AppProcess.Web, current.Index);
                    await SaveAsync(current with { RestartedAt = clock.GetUtcNow() });
                    return;
                case RollPhase.Roll:
                    if (report.Instances.FirstOrDefault(i => i.Index == current.Index) is { State: InstanceStates.Running } restarted
                        && restarted.Since >= current.RestartedAt!.Value.AddSeconds(-1))
                    {
                        await SaveAsync(current with { Index = current.Index + 1, RestartedAt = null });
                    }

                    return;
                case RollPhase.Shrink:
                    if (snapshot.Instances != current.Target)
                    {
                        await app.UpdateProcessAsync(AppProcess.Web, new ProcessFields { Instances = current.Target }, "audit.app.process.scale");
                    }

                    await EndAsync(deployment.Status == DeploymentStatus.Canceling ? DeploymentStatus.Canceled : DeploymentStatus.Deployed);
                    return;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A step that failed is taken again on the next tick (each is idempotent).
            LogStepFailed(ex, Guid, current.Phase, current.Index);
        }
    }

    private static bool Running(ProcessReport report, int index) =>
        report.Instances.FirstOrDefault(i => i.Index == index) is { State: InstanceStates.Running };

    private async Task SaveAsync(DeploymentGrainState next)
    {
        state.State = next with { Deployment = next.Deployment! with { UpdatedAt = clock.GetUtcNow() } };
        await state.WriteStateAsync();
    }

    private async Task EndAsync(DeploymentStatus status)
    {
        await SaveAsync(state.State with { Deployment = state.State.Deployment! with { Status = status }, Phase = RollPhase.Done });
        LogEnded(Guid, status);
        await StopAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Deployment} of app {App} began with droplet {Droplet}: {Target} instances, rolling {Rolls}")]
    private partial void LogCreated(Guid deployment, Guid app, Guid droplet, int target, bool rolls);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Deployment} ended {Status}")]
    private partial void LogEnded(Guid deployment, DeploymentStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment}: the {Phase} step at instance {Index} failed; it is taken again")]
    private partial void LogStepFailed(Exception exception, Guid deployment, RollPhase phase, int index);
}

/// <summary>The deployments of one app (newest last, the oldest dropped beyond the bound).</summary>
[GrainType("app-deployments")]
public sealed class AppDeploymentsGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<AppDeploymentsState> state) : Grain, IAppDeploymentsGrain
{
    public async Task<ImmutableArray<Guid>> AddAsync(Guid deployment)
    {
        var list = state.State.Deployments;
        if (!list.Contains(deployment))
        {
            list = list.Add(deployment);
            state.State = new AppDeploymentsState { Deployments = list.Length > IAppDeploymentsGrain.Max ? list[^IAppDeploymentsGrain.Max..] : list };
            await state.WriteStateAsync();
        }

        return state.State.Deployments;
    }

    public Task<ImmutableArray<Guid>> ListAsync() => Task.FromResult(state.State.Deployments);
}

[GenerateSerializer, Alias("CloudController.Grains.Deployments.AppDeploymentsState")]
public sealed record AppDeploymentsState
{
    [Id(0)] public ImmutableArray<Guid> Deployments { get; init; } = [];
}

using System.Text.RegularExpressions;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Buildpacks;

[GrainType("buildpack")]
public sealed partial class BuildpackGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<BuildpackGrainState> state,
    TimeProvider clock,
    ILogger<BuildpackGrain> logger) : Grain, IBuildpackGrain
{
    private Guid Guid => this.GetPrimaryKey();

    private BuildpackGrainState Current =>
        state.RecordExists ? state.State : throw CloudControllerException.BuildpackNotFound(Guid);

    public async Task<BuildpackSnapshot> CreateAsync(CreateBuildpack command)
    {
        if (state.RecordExists)
        {
            throw NameTaken(command.Name);
        }

        // CF: buildpack names are letters, digits, '_' and '-' only (they become blob and directory names).
        if (!NamePattern().IsMatch(command.Name))
        {
            throw new CloudControllerException(CfErrorCode.BuildpackInvalid,
                "Buildpack is invalid: name can only contain alphanumeric characters, '_' and '-'");
        }

        var next = new BuildpackGrainState
        {
            Name = command.Name,
            Position = Math.Max(command.Position, 0),
            Enabled = command.Enabled,
            Locked = command.Locked,
            CreatedAt = clock.GetUtcNow(),
        };
        // The name index is the only record a buildpack has besides its state: claimed before the store, it heals.
        await IndexedWrite.ClaimAsync(GrainFactory, IndexPlacement.Buildpack(next.Name).Index, Entry(next), () => NameTaken(next.Name),
            g => GrainFactory.GetGrain<IBuildpackGrain>(g));
        await state.SaveAsync(next);
        LogCreated(Guid, next.Name);
        return next.ToSnapshot(Guid);
    }

    public Task<BuildpackSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task ReindexAsync() => state.RecordExists
        ? IndexedWrite.DeriveAsync(GrainFactory, IndexPlacement.Buildpack(state.State.Name), Entry(state.State), [])
        : Task.CompletedTask;

    public Task<bool> ConfirmEntryAsync(string index) => IndexedWrite.ConfirmAsync(GrainFactory, index, Guid,
        state.RecordExists ? (IndexPlacement.Buildpack(state.State.Name), Entry(state.State)) : null);

    public Task<BuildpackSnapshot?> FindAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public async Task<BuildpackSnapshot> BitsUploadedAsync(string filename)
    {
        var next = Current with { Filename = filename, UpdatedAt = clock.GetUtcNow() };
        await state.SaveAsync(next);
        return next.ToSnapshot(Guid);
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, IndexPlacement.Buildpack(current.Name), Guid);
        LogDeleted(Guid);
    }

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.BuildpackNameTaken, $"The buildpack name is already in use: {name}");

    [GeneratedRegex(@"^[A-Za-z0-9_\-]{1,255}$")]
    private static partial Regex NamePattern();

    private IndexEntry Entry(BuildpackGrainState s) => new(Guid, s.Name, string.Empty, s.CreatedAt, []);

    [LoggerMessage(Level = LogLevel.Information, Message = "Buildpack {BuildpackGuid} created as {Name}")]
    private partial void LogCreated(Guid buildpackGuid, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Buildpack {BuildpackGuid} deleted")]
    private partial void LogDeleted(Guid buildpackGuid);
}

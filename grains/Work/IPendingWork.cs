using CloudController.GrainInterfaces.Work;

namespace CloudController.Grains.Work;

/// <summary>
/// The registry of work in flight. A grain registers its work before it stores the in-flight state and removes it
/// after the outcome is stored, so every unfinished piece of work has an entry, whoever's silo dies.
/// </summary>
public interface IPendingWork
{
    Task AddAsync(WorkKind kind, Guid guid);

    Task RemoveAsync(WorkKind kind, Guid guid);

    IAsyncEnumerable<PendingWorkItem> ListAsync(CancellationToken cancellationToken);
}

/// <summary>One registry entry; <paramref name="Since"/> is when it was registered.</summary>
public sealed record PendingWorkItem(WorkKind Kind, Guid Guid, DateTimeOffset Since);

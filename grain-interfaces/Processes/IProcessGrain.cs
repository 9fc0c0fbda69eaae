namespace CloudController.GrainInterfaces.Processes;

/// <summary>
/// Where a non-web process lives (key: the process guid): its app and type, so <c>/v3/processes/:guid</c> finds the
/// app that holds it. The app writes the pointer before it stores the process and clears it after removing it, so a
/// pointer may outlive its process (the app then no longer lists it), never the other way round. A web process
/// shares its app's guid and has no pointer.
/// </summary>
[Alias("CloudController.GrainInterfaces.Processes.IProcessGrain")]
public interface IProcessGrain : IGrainWithGuidKey
{
    [Alias("FindAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<ProcessPointer?> FindAsync();

    [Alias("PointAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task PointAsync(ProcessPointer pointer);

    [Alias("ClearAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ClearAsync();
}

[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Processes.ProcessPointer")]
public sealed record ProcessPointer([property: Id(0)] Guid AppGuid, [property: Id(1)] string Type);

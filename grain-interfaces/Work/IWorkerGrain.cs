namespace CloudController.GrainInterfaces.Work;

/// <summary>
/// A grain whose long work (a package build, a copy, a staging) runs outside its turns: the grain stores its intent,
/// a silo service runs the work, and the outcome comes back through this ordinary call, which the grain applies in a
/// short turn of its own after checking that the outcome is still wanted.
/// </summary>
[Alias("CloudController.GrainInterfaces.Work.IWorkerGrain`1")]
public interface IWorkerGrain<TResult> : IGrainWithGuidKey
{
    /// <summary>Applies the outcome of one attempt; an outcome of an attempt the grain no longer waits for is ignored.</summary>
    [Alias("CompleteWorkAsync")]
    Task CompleteWorkAsync(WorkOutcome<TResult> outcome);
}

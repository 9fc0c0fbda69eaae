namespace CloudController.GrainInterfaces.Jobs;

/// <summary>v2 job status: queued → running → finished, or failed.</summary>
public enum JobStatus { Queued, Running, Finished, Failed }

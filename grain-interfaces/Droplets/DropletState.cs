namespace CloudController.GrainInterfaces.Droplets;

/// <summary>
/// Droplet states: STAGING → STAGED or FAILED (later EXPIRED); an uploaded droplet runs AWAITING_UPLOAD →
/// PROCESSING_UPLOAD → STAGED or FAILED. Stored by value: add new ones at the end.
/// </summary>
public enum DropletState { Staging, Staged, Failed, Expired, AwaitingUpload, ProcessingUpload }

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>Droplet states: STAGING → STAGED or FAILED (later EXPIRED).</summary>
public enum DropletState { Staging, Staged, Failed, Expired }

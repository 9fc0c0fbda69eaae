namespace CloudController.GrainInterfaces.Apps;

/// <summary>v2 app <c>package_state</c>: PENDING until staged, then STAGED or FAILED.</summary>
public enum AppPackageState { Pending, Staged, Failed }

namespace CloudController.GrainInterfaces.Apps;

/// <summary>v2 app <c>state</c>: STOPPED or STARTED.</summary>
public enum AppState { Stopped, Started }

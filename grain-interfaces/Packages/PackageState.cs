namespace CloudController.GrainInterfaces.Packages;

/// <summary>v3 package states (spec 4.3); the API writes them as AWAITING_UPLOAD, PROCESSING_UPLOAD, ...</summary>
public enum PackageState { AwaitingUpload, ProcessingUpload, Ready, Failed, Copying, Expired }

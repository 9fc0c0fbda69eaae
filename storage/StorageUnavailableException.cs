namespace CloudController.Storage;

/// <summary>Blob storage is misconfigured or cannot be reached; the message is safe to print (no secrets).</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

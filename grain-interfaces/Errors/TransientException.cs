namespace CloudController.GrainInterfaces.Errors;

/// <summary>
/// A failure that says nothing about the request: a part of the cluster is reloading or overloaded, nothing was
/// acknowledged, and the same request may be sent again. The API answers it with 503 CF-ServiceUnavailable.
/// </summary>
[GenerateSerializer, Alias("CloudController.GrainInterfaces.Errors.TransientException")]
public sealed class TransientException(string message) : Exception(message);

using CloudController.GrainInterfaces.Errors;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace CloudController.Hosting;

/// <summary>
/// Which failures are the cluster's passing state rather than a bug: a silo lost or not yet reachable, a gateway too
/// busy, a call that timed out under load, a write that lost an ETag race to another activation, a part of the
/// cluster reloading after a failed write, storage that did not answer in time. Such a failure acknowledged nothing
/// and the same request may be retried; anything else is a bug (HTTP 500, logged).
/// </summary>
public static class Transience
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        TransientException or TimeoutException or InconsistentStateException => true,
        OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException => true,
        ConnectionFailedException or Orleans.Runtime.MembershipService.OrleansClusterConnectivityCheckFailedException => true,
        Orleans.Networking.Shared.SocketConnectionException or Storage.StorageUnavailableException => true,
        // Storage that answered "busy" or "unavailable", or not at all (the SDK's own timeout).
        Azure.RequestFailedException { Status: 0 or 408 or 429 or 500 or 502 or 503 or 504 } => true,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.All(IsTransient),
        OrleansException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };
}

using Azure.Data.Tables;
using CloudController.Storage;

namespace CloudController.Hosting;

/// <summary>The table endpoint of the storage account (<see cref="BlobStorageConnection"/>): reminders and membership.</summary>
public static class TableStorageConnection
{
    /// <summary>
    /// A client for the connection string; a malformed string is reported without echoing it (it holds a key).
    /// <paramref name="policy"/>, when given, sees every request (the tests' fault injection). Every request is
    /// counted in <see cref="StorageMetrics"/>.
    /// </summary>
    public static TableServiceClient CreateClient(string connectionString, Azure.Core.Pipeline.HttpPipelinePolicy? policy = null)
    {
        try
        {
            var options = new TableClientOptions();
            options.Retry.NetworkTimeout = BlobStorageConnection.NetworkTimeout;
            options.AddPolicy(StorageMetrics.Policy("table"), Azure.Core.HttpPipelinePosition.PerRetry);
            if (policy is not null)
            {
                options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
            }

            return new TableServiceClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new StorageUnavailableException(
                $"ConnectionStrings:{BlobStorageConnection.ConnectionStringName} is not a valid Azure Storage connection string for tables ({ex.GetType().Name}).", ex);
        }
    }
}

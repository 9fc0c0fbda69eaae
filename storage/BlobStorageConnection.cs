using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace CloudController.Storage;

/// <summary>
/// Resolves the storage account connection: <c>ConnectionStrings:Blobs</c>, else Azurite's dev account on
/// <c>AZURITE_BLOB_PORT</c> (blobs) and <c>AZURITE_TABLE_PORT</c> (tables). One account serves grain state and bits
/// (blobs) and, through its table endpoint, reminders and cluster membership.
/// </summary>
public static class BlobStorageConnection
{
    public const string ConnectionStringName = "Blobs";
    public const int DefaultAzuriteBlobPort = 10000;
    public const int DefaultAzuriteTablePort = 10002;

    // Azurite's published development account: a well-known value, not a secret.
    private const string AzuriteAccount = "devstoreaccount1";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string ConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return AzuriteConnectionString(
            configuration.GetValue("AZURITE_BLOB_PORT", DefaultAzuriteBlobPort),
            configuration.GetValue("AZURITE_TABLE_PORT", DefaultAzuriteTablePort));
    }

    public static string AzuriteConnectionString(int blobPort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AzuriteAccount};TableEndpoint=http://127.0.0.1:{tablePort}/{AzuriteAccount};";

    /// <summary>
    /// How long one storage request may go unanswered before the SDK gives up on it and retries. The SDK's own default
    /// (100 s) let a single lost response hold a grain (and every call waiting on it) past the 30 s response timeout;
    /// grain state and index writes are small, and bits move in 4 MiB requests.
    /// </summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A client for the connection string; a malformed string is reported without echoing it (it holds a key).
    /// <paramref name="policy"/>, when given, sees every request (the tests' fault injection). Every request is
    /// counted in <see cref="StorageMetrics"/>.
    /// </summary>
    public static BlobServiceClient CreateClient(string connectionString, BlobClientOptions? options = null, Azure.Core.Pipeline.HttpPipelinePolicy? policy = null)
    {
        try
        {
            options ??= DefaultOptions();
            options.AddPolicy(StorageMetrics.Policy("blob"), Azure.Core.HttpPipelinePosition.PerRetry);
            if (policy is not null)
            {
                options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
            }

            return new BlobServiceClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new StorageUnavailableException(
                $"ConnectionStrings:{ConnectionStringName} is not a valid Azure Storage connection string ({ex.GetType().Name}).", ex);
        }
    }

    private static BlobClientOptions DefaultOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.NetworkTimeout = NetworkTimeout;
        return options;
    }
}

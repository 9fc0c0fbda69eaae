using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace CloudController.Storage;

/// <summary>Resolves the blob storage connection: <c>ConnectionStrings:Blobs</c>, else Azurite's dev account on <c>AZURITE_BLOB_PORT</c>.</summary>
public static class BlobStorageConnection
{
    public const string ConnectionStringName = "Blobs";
    public const int DefaultAzuriteBlobPort = 10000;

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

        var port = configuration.GetValue("AZURITE_BLOB_PORT", DefaultAzuriteBlobPort);
        return AzuriteConnectionString(port);
    }

    public static string AzuriteConnectionString(int blobPort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AzuriteAccount};";

    /// <summary>A client for the connection string; a malformed string is reported without echoing it (it holds a key).</summary>
    public static BlobServiceClient CreateClient(string connectionString, BlobClientOptions? options = null)
    {
        try
        {
            return new BlobServiceClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new StorageUnavailableException(
                $"ConnectionStrings:{ConnectionStringName} is not a valid Azure Storage connection string ({ex.GetType().Name}).", ex);
        }
    }
}

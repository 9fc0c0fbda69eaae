using System.Net;
using System.Net.Sockets;
using CloudController.Storage;

namespace CloudController.Tests.Infrastructure;

/// <summary>
/// The Azurite that <c>./test.sh</c> started (its blob and table ports in <c>AZURITE_BLOB_PORT</c> and <c>AZURITE_TABLE_PORT</c>, or a full
/// <c>ConnectionStrings__Blobs</c>). Storage tests always run against it: there is no in-memory stand-in.
/// </summary>
public static class TestStorage
{
    /// <summary>
    /// The content root for the api under test: a copy of api/appsettings.json in its own output folder, so
    /// the silo's appsettings.json (copied into the same bin folder) can never stand in for it.
    /// </summary>
    public static string ApiContentRoot { get; } = Path.Combine(AppContext.BaseDirectory, "api-content");

    public static string ConnectionString
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Blobs");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return configured;
            }

            var blobPort = Environment.GetEnvironmentVariable("AZURITE_BLOB_PORT");
            var tablePort = Environment.GetEnvironmentVariable("AZURITE_TABLE_PORT");
            return blobPort is null || tablePort is null
                ? throw new InvalidOperationException("No Azurite configured: run ./test.sh (it starts Azurite) or set AZURITE_BLOB_PORT and AZURITE_TABLE_PORT.")
                : BlobStorageConnection.AzuriteConnectionString(
                    int.Parse(blobPort, System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(tablePort, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A fresh table name (letters and digits), so each test silo's reminders are its own.</summary>
    public static string UniqueTable(string prefix) => $"{prefix}{Guid.NewGuid():N}";

    /// <summary>A fresh lower-case container name, so test runs and fixtures never share state by accident.</summary>
    public static string UniqueContainer(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

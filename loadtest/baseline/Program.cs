using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

// The benchmarks' yardstick: the least an HTTP endpoint on this machine can do per request, on the same ASP.NET Core
// and the same Azurite. POST /blob writes one blob (what one create must at least cost); GET /dict/{id} serves a JSON
// object from a dictionary (what one read must at least cost). No auth, no Orleans, no validation.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var port = builder.Configuration.GetValue("BASELINE_PORT", 9100);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var connection = builder.Configuration.GetConnectionString("Blobs")
    ?? $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{builder.Configuration.GetValue("AZURITE_BLOB_PORT", 10000)}/devstoreaccount1;";
var container = new BlobServiceClient(connection).GetBlobContainerClient("loadtest-baseline");
await container.CreateIfNotExistsAsync();
var entries = new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal);

var app = builder.Build();
app.MapPost("/blob", async (JsonObject body) =>
{
    var name = Guid.NewGuid().ToString("D");
    body["name"] = name;
    await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(body.ToJsonString()), overwrite: false);
    return Results.Created($"/blob/{name}", body);
});
app.MapPost("/dict", (JsonObject body) =>
{
    var guid = Guid.NewGuid().ToString("D");
    body["guid"] = guid;
    body["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
    entries[guid] = body;
    return Results.Created($"/dict/{guid}", body);
});
app.MapGet("/dict/{id}", (string id) => entries.TryGetValue(id, out var entry) ? Results.Ok(entry) : Results.NotFound());
Console.WriteLine($"baseline ready at http://127.0.0.1:{port}");
await app.RunAsync();

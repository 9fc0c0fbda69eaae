using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CloudController.Api.Bits;

/// <summary>
/// Streams a bits upload (v2: parts <c>resources</c>, <c>application</c>, <c>async</c>; v3: part <c>bits</c> and an
/// optional <c>resources</c>) straight into the
/// uploads container: the application part goes to blob storage in 4 MiB blocks as it arrives, so memory stays
/// flat whatever the upload size. The whole body is counted against <see cref="BitsOptions.MaxUploadSize"/>.
/// </summary>
internal sealed class MultipartBitsReader(BitsContainers containers, BitsOptions options)
{
    private const long MaxResourcesPart = 64L * 1024 * 1024;

    /// <summary>Reads the request; <paramref name="zipPart"/> names the zip's part, and without <paramref name="resourcesRequired"/> a missing resources part means none.</summary>
    public async Task<BitsUpload> ReadAsync(HttpRequest request, string zipPart, bool resourcesRequired, CancellationToken cancellationToken)
    {
        if (request.ContentLength > options.MaxUploadSize)
        {
            throw TooLarge();
        }

        var boundary = Boundary(request.ContentType);
        var uploadId = Guid.NewGuid();
        var uploads = await containers.GetAsync(BlobContainers.Uploads);
        try
        {
            return await ReadPartsAsync(request, boundary, uploadId, uploads, zipPart, resourcesRequired, cancellationToken);
        }
        catch (Exception ex) when (Malformed(ex) && !cancellationToken.IsCancellationRequested)
        {
            // A truncated body, a missing final boundary, part headers over the limit: the client's mistake.
            await DeleteUploadAsync(uploads, uploadId);
            throw Invalid("the multipart body is malformed or truncated");
        }
        catch
        {
            // A rejected or broken request leaves nothing behind in the uploads container.
            await DeleteUploadAsync(uploads, uploadId);
            throw;
        }
    }

    private static bool Malformed(Exception ex) => ex switch
    {
        IOException or InvalidDataException => true,
        AggregateException { InnerException: { } inner } => Malformed(inner),
        _ => false,
    };

    /// <summary>Deletes what a read upload left in the uploads container (for a caller that cannot hand it on).</summary>
    public async Task DiscardAsync(Guid uploadId) => await DeleteUploadAsync(await containers.GetAsync(BlobContainers.Uploads), uploadId);

    private static async Task DeleteUploadAsync(BlobContainerClient uploads, Guid uploadId)
    {
        await uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId)).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId)).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
    }

    private async Task<BitsUpload> ReadPartsAsync(
        HttpRequest request, string boundary, Guid uploadId, BlobContainerClient uploads, string zipPart, bool resourcesRequired, CancellationToken cancellationToken)
    {
        var body = new CountingStream(request.Body, options.MaxUploadSize, TooLarge);
        var reader = new MultipartReader(boundary, body) { BodyLengthLimit = null, HeadersLengthLimit = 16 * 1024 };
        bool hasResources = false, hasApplication = false, namesFiles = false;
        string? asyncField = null;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            var name = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                ? HeaderUtilities.RemoveQuotes(disposition.Name).ToString()
                : "";
            switch (name)
            {
                case var zip when zip == zipPart:
                    await uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId)).UploadAsync(section.Body, Streamed, cancellationToken);
                    hasApplication = true;
                    break;
                case "resources":
                    // Read whole (bounded) to know whether it names any file: an empty list with no zip uploads nothing.
                    using (var resources = new MemoryStream())
                    {
                        await new CountingStream(section.Body, MaxResourcesPart, () => Invalid("resources part too large")).CopyToAsync(resources, cancellationToken);
                        resources.Position = 0;
                        await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId)).UploadAsync(resources, overwrite: true, cancellationToken);
                        hasResources = true;
                        namesFiles = NamesAnyFile(resources.GetBuffer().AsSpan(0, (int)resources.Length));
                    }

                    break;
                case "async":
                    using (var text = new StreamReader(new CountingStream(section.Body, 64, () => Invalid("invalid async"))))
                    {
                        asyncField = await text.ReadToEndAsync(cancellationToken);
                    }

                    break;
                default:
                    await section.Body.DrainAsync(cancellationToken);
                    break;
            }
        }

        if (!hasResources && resourcesRequired)
        {
            throw Invalid("missing :resources");
        }

        if (!hasResources)
        {
            await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId)).UploadAsync(BinaryData.FromString("[]"), overwrite: true, cancellationToken);
        }

        return new BitsUpload(uploadId, hasApplication, asyncField) { HasResources = namesFiles };
    }

    /// <summary>Whether a resources part is a non-empty JSON array (anything else is judged by the packager).</summary>
    private static bool NamesAnyFile(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            return !(reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.StartArray
                && reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.EndArray);
        }
        catch (System.Text.Json.JsonException)
        {
            return true;
        }
    }

    private static readonly BlobUploadOptions Streamed = new()
    {
        TransferOptions = BlobTransfers.Bounded,
        HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" },
    };

    private static string Boundary(string? contentType)
    {
        var boundary = MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(media.Boundary).ToString()
            : "";
        return boundary.Length is > 0 and <= 200 ? boundary : throw Invalid("the request must be multipart/form-data");
    }

    private CloudControllerException TooLarge() => Invalid($"the request body is larger than {options.MaxUploadSize} bytes");

    private static CloudControllerException Invalid(string detail) =>
        new(CfErrorCode.AppBitsUploadInvalid, $"The app upload is invalid: {detail}");
}

/// <summary>What a bits request stored in the uploads container.</summary>
internal sealed record BitsUpload(Guid UploadId, bool HasApplication, string? AsyncField)
{
    /// <summary>Whether the request's <c>resources</c> part names any file (matched files to take from the cache).</summary>
    public bool HasResources { get; init; }
}

using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace CloudController.LoadTest;

/// <summary>An app's bits: a zip on disk (streamed when sent, never held in memory) and its files' CF fingerprints.</summary>
internal sealed class AppBits : IDisposable
{
    private AppBits(string zipPath, IReadOnlyList<Fingerprint> files)
    {
        ZipPath = zipPath;
        Files = files;
    }

    public string ZipPath { get; }

    public IReadOnlyList<Fingerprint> Files { get; }

    public long ZipSize => new FileInfo(ZipPath).Length;

    /// <summary>
    /// Whether a file of this size can be matched from the resource cache under CF's default resource pool:
    /// strictly between 64 KiB (<c>minimum_size</c> 65536) and 512 MiB (<c>maximum_size</c>).
    /// </summary>
    public static bool Matchable(long size) => size is > 65536 and < 512L * 1024 * 1024;

    /// <summary><paramref name="files"/> files of random content (distinct per <paramref name="seed"/>) adding up to <paramref name="totalSize"/> bytes.</summary>
    public static AppBits Create(string directory, int files, long totalSize, int seed)
    {
        var path = Path.Combine(directory, $"bits-{seed}-{Guid.NewGuid():N}.zip");
        var fingerprints = new List<Fingerprint>(files);
        var random = new Random(seed);
        var buffer = new byte[1024 * 1024];
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            for (var i = 0; i < files; i++)
            {
                var size = totalSize / files + (i < totalSize % files ? 1 : 0);
                var name = i == 0 ? "package.json" : $"lib/file-{i:D5}.bin";
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                entry.ExternalAttributes = 0x81A4 << 16;
                using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                using (var stream = entry.Open())
                {
                    for (var left = size; left > 0;)
                    {
                        var chunk = (int)Math.Min(left, buffer.Length);
                        random.NextBytes(buffer.AsSpan(0, chunk));
                        stream.Write(buffer, 0, chunk);
                        sha1.AppendData(buffer, 0, chunk);
                        left -= chunk;
                    }
                }

                fingerprints.Add(new Fingerprint(name, Convert.ToHexStringLower(sha1.GetHashAndReset()), size, "644"));
            }
        }

        return new AppBits(path, fingerprints);
    }

    /// <summary>The v2 bits body: <c>resources</c> (already-cached fingerprints) and, unless null, the <c>application</c> zip.</summary>
    public MultipartFormDataContent V2Body(IEnumerable<Fingerprint> resources, bool withZip)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(System.Text.Json.JsonSerializer.Serialize(resources.Select(f => new { fn = f.Fn, sha1 = f.Sha1, size = f.Size, mode = f.Mode }))), "resources" },
        };
        if (withZip)
        {
            form.Add(ZipPart(), "application", "application.zip");
        }

        return form;
    }

    public MultipartFormDataContent V3Body() => new() { { ZipPart(), "bits", "bits.zip" } };

    public void Dispose() => File.Delete(ZipPath);

    private StreamContent ZipPart()
    {
        var content = new StreamContent(File.OpenRead(ZipPath), 1024 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        content.Headers.ContentLength = ZipSize;
        return content;
    }
}

internal sealed record Fingerprint(string Fn, string Sha1, long Size, string Mode);

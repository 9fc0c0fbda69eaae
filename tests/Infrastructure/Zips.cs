using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CloudController.Tests.Infrastructure;

/// <summary>Builds app zips and v2 bits requests the way the cf CLI does.</summary>
public static class Zips
{
    public const int Symlink = 0xA000;
    public const int RegularFile = 0x8000;

    public static byte[] Create(params (string Path, byte[] Content, int Mode)[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content, mode) in files)
            {
                var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
                entry.ExternalAttributes = ((mode & 0xF000) == 0 ? RegularFile | mode : mode) << 16;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Like <see cref="Create"/>, but entries are stored uncompressed (their bytes appear as they are).</summary>
    public static byte[] CreateStored(params (string Path, byte[] Content, int Mode)[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content, mode) in files)
            {
                var entry = zip.CreateEntry(path, CompressionLevel.NoCompression);
                entry.ExternalAttributes = (RegularFile | mode) << 16;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The zip with the first occurrence of <paramref name="find"/> in its bytes replaced (same length): data no longer matching its CRC.</summary>
    public static byte[] Corrupt(byte[] zip, string find, string replace)
    {
        var at = zip.AsSpan().IndexOf(Encoding.ASCII.GetBytes(find));
        var copy = zip.ToArray();
        Encoding.ASCII.GetBytes(replace).CopyTo(copy, at);
        return copy;
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Incompressible bytes, above the resource cache's minimum size by default.</summary>
    public static byte[] Random(int size = 70 * 1024) => RandomNumberGenerator.GetBytes(size);

    /// <summary>The entry names of a zip.</summary>
    public static IReadOnlyList<string> Names(byte[] zip)
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip), System.IO.Compression.ZipArchiveMode.Read);
        return [.. archive.Entries.Select(e => e.FullName)];
    }

#pragma warning disable CA5350 // the CF protocol fingerprints files by sha1
    public static string Sha1(byte[] content) => Convert.ToHexStringLower(SHA1.HashData(content));
#pragma warning restore CA5350

    public static object Fingerprint(string path, byte[] content, string mode = "644") =>
        new { fn = path, size = content.Length, sha1 = Sha1(content), mode };

    public static MultipartFormDataContent Bits(object[] resources, byte[]? application, bool asyncPart = false)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(resources)), "resources" },
        };
        if (application is not null)
        {
            var zip = new ByteArrayContent(application);
            zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            form.Add(zip, "application", "application.zip");
        }

        if (asyncPart)
        {
            form.Add(new StringContent("true"), "async");
        }

        return form;
    }

    /// <summary>Entries of a zip: path → (content, unix mode bits).</summary>
    public static Dictionary<string, (byte[] Content, int Mode)> Read(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var content = new MemoryStream();
            using (var stream = e.Open())
            {
                stream.CopyTo(content);
            }

            return (content.ToArray(), (e.ExternalAttributes >> 16) & 0xFFFF);
        });
    }
}

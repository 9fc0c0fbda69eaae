using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace CloudController.Storage;

/// <summary>
/// Droplets cross the API as Cloud Foundry's gzipped tarballs (<c>app/</c>, <c>staging_info.yml</c>, …) and are
/// stored as zips, the form the stagers write and the local runtime unpacks. Uploads are converted to a zip (a zip is
/// taken as it is); downloads are converted back to a tarball as they stream. Only regular files and directories
/// are carried: links and devices in an uploaded tarball are left out.
/// </summary>
public static class DropletArchive
{
    /// <summary>At most this many entries in one droplet.</summary>
    public const int MaxEntries = 100_000;

    /// <summary>At most this many bytes once unpacked (the largest disk quota an instance may have).</summary>
    public const long MaxExpandedBytes = 4L * 1024 * 1024 * 1024;

    private const int MaxStagingInfoBytes = 64 * 1024;
    private const int DirectoryType = 0x4000;
    private const int RegularType = 0x8000;

    /// <summary>What a droplet's <c>staging_info.yml</c> says, when it has one that can be read.</summary>
    public sealed record StagingInfo(string? StartCommand, string? Buildpack);

    /// <summary>
    /// Writes the droplet at <paramref name="source"/> (a <c>.tgz</c> or a zip) as a zip at <paramref name="zip"/>.
    /// Raises <see cref="InvalidDataException"/>, with a message for the user, when it is neither or breaks a bound.
    /// </summary>
    public static StagingInfo ToZip(string source, string zip)
    {
        var magic = new byte[2];
        using (var probe = File.OpenRead(source))
        {
            if (probe.ReadAtLeast(magic, 2, throwOnEndOfStream: false) < 2)
            {
                throw new InvalidDataException("the file is empty");
            }
        }

        try
        {
            return (magic[0], magic[1]) switch
            {
                (0x1f, 0x8b) => FromTarball(source, zip),
                ((byte)'P', (byte)'K') => CheckZip(source, zip),
                _ => throw new InvalidDataException("a droplet must be a gzipped tarball (.tgz)"),
            };
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException("the archive is damaged or truncated", ex);
        }
    }

    /// <summary>Streams the stored droplet zip <paramref name="zip"/> (seekable) to <paramref name="output"/> as a gzipped tarball.</summary>
    public static async Task WriteTarballAsync(Stream zip, Stream output, CancellationToken cancellationToken)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in archive.Entries)
        {
            var mode = (UnixFileMode)((entry.ExternalAttributes >> 16) & 0xFFF);
            if (entry.FullName.EndsWith('/'))
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, $"./{entry.FullName}") { Mode = mode == 0 ? DefaultDirectory : mode }, cancellationToken);
                continue;
            }

            // A tar header carries the entry's size, so each file is spooled to a seekable stream first.
            await using var data = entry.Length <= 1024 * 1024
                ? (Stream)new MemoryStream((int)entry.Length)
                : new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await using (var content = entry.Open())
            {
                await content.CopyToAsync(data, cancellationToken);
            }

            data.Position = 0;
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, $"./{entry.FullName}")
            {
                Mode = mode == 0 ? DefaultFile : mode,
                ModificationTime = entry.LastWriteTime,
                DataStream = data,
            }, cancellationToken);
        }
    }

    private const UnixFileMode DefaultFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DefaultDirectory = DefaultFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static StagingInfo FromTarball(string source, string zip)
    {
        StagingInfo info = new(null, null);
        using var input = File.OpenRead(source);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        using var output = new ZipArchive(File.Create(zip), ZipArchiveMode.Create);
        var (entries, expanded) = (0, 0L);
        while (tar.GetNextEntry() is { } entry)
        {
            var name = PathOf(entry.Name);
            if (name is null || entry.EntryType is not (TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
            {
                continue;
            }

            Count(ref entries, ref expanded, entry.Length);
            if (entry.EntryType == TarEntryType.Directory)
            {
                output.CreateEntry($"{name.TrimEnd('/')}/").ExternalAttributes = ((int)entry.Mode | DirectoryType) << 16;
                continue;
            }

            var file = output.CreateEntry(name, CompressionLevel.Fastest);
            file.ExternalAttributes = ((int)entry.Mode | RegularType) << 16;
            file.LastWriteTime = entry.ModificationTime;
            using var to = file.Open();
            if (entry.DataStream is not { } data)
            {
                continue;
            }

            if (name == "staging_info.yml" && entry.Length <= MaxStagingInfoBytes)
            {
                var bytes = new byte[entry.Length];
                data.ReadExactly(bytes);
                info = Parse(bytes);
                to.Write(bytes);
            }
            else
            {
                data.CopyTo(to);
            }
        }

        return entries > 0 ? info : throw new InvalidDataException("the tarball holds no files");
    }

    private static StagingInfo CheckZip(string source, string zip)
    {
        StagingInfo info = new(null, null);
        using (var archive = ZipFile.OpenRead(source))
        {
            var (entries, expanded) = (0, 0L);
            foreach (var entry in archive.Entries)
            {
                _ = PathOf(entry.FullName);
                Count(ref entries, ref expanded, entry.Length);
                if (entry.FullName == "staging_info.yml" && entry.Length <= MaxStagingInfoBytes)
                {
                    using var content = entry.Open();
                    var bytes = new byte[entry.Length];
                    content.ReadExactly(bytes);
                    info = Parse(bytes);
                }
            }
        }

        File.Copy(source, zip, overwrite: true);
        return info;
    }

    private static void Count(ref int entries, ref long expanded, long length)
    {
        if (++entries > MaxEntries)
        {
            throw new InvalidDataException($"a droplet may hold at most {MaxEntries} entries");
        }

        if ((expanded += length) > MaxExpandedBytes)
        {
            throw new InvalidDataException($"a droplet may unpack to at most {MaxExpandedBytes / (1024 * 1024)} MB");
        }
    }

    /// <summary>The entry's path inside the droplet without a leading <c>./</c>; null for the root. A path that leaves the droplet is refused.</summary>
    private static string? PathOf(string name)
    {
        var trimmed = name.Replace('\\', '/');
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        if (trimmed.StartsWith('/') || trimmed.Split('/').Contains(".."))
        {
            throw new InvalidDataException($"the entry '{name}' leaves the droplet");
        }

        return trimmed.Length == 0 || trimmed == "." ? null : trimmed;
    }

    /// <summary>CF writes <c>staging_info.yml</c> as JSON (which is YAML); anything else is ignored.</summary>
    private static StagingInfo Parse(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new StagingInfo(Text(document.RootElement, "start_command"), Text(document.RootElement, "detected_buildpack"))
                : new StagingInfo(null, null);
        }
        catch (JsonException)
        {
            return new StagingInfo(null, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

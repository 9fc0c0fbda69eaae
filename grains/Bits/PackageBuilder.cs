using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using CloudController.GrainInterfaces.Errors;
using CloudController.Storage;

namespace CloudController.Grains.Bits;

/// <summary>
/// Builds a package zip (spec 7.3-7.4) from an uploaded zip plus cached files named by fingerprints. The listing is
/// checked before any byte is copied (paths, symlinks, declared size); bytes are counted while copying, so a zip
/// whose entries lie about their size cannot exceed the limit. Entries are written sorted, without directory
/// entries, with their unix modes and a fixed timestamp: the same files always give the same package bytes.
/// Synchronous and file-based: callers run it off the grain scheduler.
/// </summary>
internal sealed class PackageBuilder(BitsOptions options)
{
    private const int FileType = 0x8000;
    private const int SymlinkType = 0xA000;
    private const int DirectoryType = 0x4000;
    private const int DefaultZipMode = 0x1A4; // 0644 for entries that carry no unix mode
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the package to <paramref name="output"/>; answers the uploaded files that may join the resource cache.</summary>
    public IReadOnlyList<CacheableFile> Build(
        string? applicationZip, IReadOnlyList<Fingerprint> fingerprints, Func<string, Stream?> openCached, Stream output)
    {
        using var source = applicationZip is null ? null : OpenZip(applicationZip);
        var items = new SortedDictionary<string, Item>(StringComparer.Ordinal);
        var entries = source?.Entries ?? [];
        for (var index = 0; index < entries.Count; index++)
        {
            if (ListEntry(entries[index], index) is { } item)
            {
                // One rule for the package and the resource cache alike: a path may appear once. (Keeping the first
                // or the last would let the cache and the package disagree about what the path holds.)
                if (!items.TryAdd(item.Path, item))
                {
                    throw UploadInvalid($"Unzipping had errors: the archive holds '{item.Path}' more than once");
                }
            }
        }

        // Cached resources are written after the upload's files, so a fingerprint wins over a zip entry of the same path.
        foreach (var fingerprint in fingerprints)
        {
            items[fingerprint.Path] = new Item(fingerprint.Path, FileType | fingerprint.Mode, null, fingerprint, fingerprint.Size);
        }

        if (items.Values.Sum(i => i.DeclaredSize) > options.MaxPackageSize)
        {
            throw TooLarge();
        }

        var cacheable = new List<CacheableFile>();
        long written = 0;
        using (var package = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var item in items.Values)
            {
                var entry = package.CreateEntry(item.Path, CompressionLevel.Fastest);
                entry.LastWriteTime = EntryTime;
                entry.ExternalAttributes = item.Attributes << 16;
                using var input = Open(item, openCached);
                using var target = entry.Open();
                var (sha1, crc, size) = Copy(input, target, options.MaxPackageSize - written);
                written += size;
                if (item.Fingerprint is { } fingerprint && sha1 != fingerprint.Sha1)
                {
                    // The cache's blob does not hash to its name: it is damaged. The caller removes it, so the next
                    // resource_match reports it missing and the client sends the file again.
                    throw new DamagedResourceException(fingerprint.Sha1,
                        $"One or more cached resources did not match the given checksum: {fingerprint.Path}");
                }

                if (item.Source is { } zipEntry && (size != zipEntry.Length || crc != zipEntry.Crc32))
                {
                    throw UploadInvalid($"Unzipping had errors: entry '{item.Path}' does not match its declared size or checksum");
                }

                if (item.Source is not null && item.EntryIndex is { } index && (item.Attributes & 0xF000) == FileType
                    && size >= options.ResourceMinimumSize && size <= options.ResourceMaximumSize)
                {
                    cacheable.Add(new CacheableFile(index, sha1, size));
                }
            }
        }

        return cacheable;
    }

    /// <summary>sha1 (lower-case hex) of a whole stream, the CF package hash.</summary>
    public static string Sha1Of(Stream stream)
    {
#pragma warning disable CA5350 // The Cloud Controller protocol names files and packages by sha1.
        return Convert.ToHexStringLower(SHA1.HashData(stream));
#pragma warning restore CA5350
    }

    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            throw UploadInvalid("Unzipping had errors: the upload is not a valid zip archive");
        }
    }

    private static Item? ListEntry(ZipArchiveEntry entry, int index)
    {
        var unix = (entry.ExternalAttributes >> 16) & 0xFFFF;
        var isDirectory = entry.FullName.EndsWith('/') || (unix & 0xF000) == DirectoryType;
        var path = ZipPaths.SafeRelative(entry.FullName);
        if (path is null)
        {
            // "./" and similar root entries are harmless; anything else that resolves outside the root is not.
            if (isDirectory && ZipPaths.LinkStaysInside("", entry.FullName))
            {
                return null;
            }

            throw UploadInvalid("Relative path(s) outside of root folder");
        }

        if (isDirectory)
        {
            return null;
        }

        if ((unix & 0xF000) == SymlinkType)
        {
            if (!ZipPaths.LinkStaysInside(path, ReadLinkTarget(entry)))
            {
                throw UploadInvalid("Symlink(s) point outside of root folder");
            }

            return new Item(path, SymlinkType | (unix & Fingerprint.PermissionBits), entry, null, entry.Length, index);
        }

        // setuid, setgid and sticky bits are dropped: a package carries permissions, never privileges.
        var mode = unix & Fingerprint.PermissionBits;
        return new Item(path, FileType | (mode == 0 ? DefaultZipMode : mode), entry, null, entry.Length, index);
    }

    private static string ReadLinkTarget(ZipArchiveEntry entry)
    {
        try
        {
            using var reader = new StreamReader(entry.Open());
            var buffer = new char[4096];
            return new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
        }
        catch (InvalidDataException)
        {
            throw UploadInvalid("Unzipping had errors: a symlink entry is corrupt");
        }
    }

    private static Stream Open(Item item, Func<string, Stream?> openCached)
    {
        if (item.Fingerprint is { } fingerprint)
        {
            return openCached(fingerprint.Sha1) ?? throw UploadInvalid(
                $"resource '{fingerprint.Path}' with sha1 {fingerprint.Sha1} is not in the resource cache; upload it in the application zip");
        }

        try
        {
            return item.Source!.Open();
        }
        catch (InvalidDataException)
        {
            throw UploadInvalid($"Unzipping had errors: entry '{item.Path}' cannot be read");
        }
    }

    private (string Sha1, uint Crc32, long Size) Copy(Stream input, Stream output, long budget)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var crc = new System.IO.Hashing.Crc32();
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = ReadChunk(input, buffer)) > 0)
            {
                total += read;
                if (total > budget)
                {
                    throw TooLarge();
                }

                hash.AppendData(buffer, 0, read);
                crc.Append(buffer.AsSpan(0, read));
                output.Write(buffer, 0, read);
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), crc.GetCurrentHashAsUInt32(), total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadChunk(Stream input, byte[] buffer)
    {
        try
        {
            return input.Read(buffer, 0, buffer.Length);
        }
        catch (InvalidDataException)
        {
            throw UploadInvalid("Unzipping had errors: the zip archive is truncated or corrupt");
        }
    }

    private CloudControllerException TooLarge() =>
        new(CfErrorCode.AppPackageInvalid, $"The app package is invalid: Package may not be larger than {options.MaxPackageSize} bytes");

    private static CloudControllerException UploadInvalid(string detail) =>
        new(CfErrorCode.AppBitsUploadInvalid, $"The app upload is invalid: {detail}");

    private sealed record Item(string Path, int Attributes, ZipArchiveEntry? Source, Fingerprint? Fingerprint, long DeclaredSize, int? EntryIndex = null);
}

/// <summary>An uploaded file eligible for the resource cache: the zip entry by position (names may repeat in a zip), and what it hashed to.</summary>
internal sealed record CacheableFile(int EntryIndex, string Sha1, long Size);

/// <summary>A resource-cache blob whose content does not hash to its name; <see cref="Error"/> is what the client is told.</summary>
internal sealed class DamagedResourceException(string sha1, string message) : Exception(message)
{
    public string Sha1 { get; } = sha1;

    public CloudControllerException Error => new(CfErrorCode.ResourceChecksumMismatch, Message);
}

using System.Globalization;
using System.Text.Json;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Grains.Bits;

/// <summary>One entry of a bits upload's <c>resources</c>: a file the client did not send because the cache has it.</summary>
internal sealed record Fingerprint(string Path, long Size, string Sha1, int Mode)
{
    /// <summary>Mode when a fingerprint names none (CF's code uses 0744).</summary>
    public const int DefaultMode = 0x1E4;

    /// <summary>rwx for owner, group and others (0777); what packages and droplets keep of a file's mode.</summary>
    public const int PermissionBits = 0x1FF;

    /// <summary>Parses and validates the <c>resources</c> part (spec 7.2): array, safe paths, owner read+write modes.</summary>
    public static IReadOnlyList<Fingerprint> ParseAll(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            throw Invalid("invalid :resources");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("invalid :resources");
            }

            return [.. document.RootElement.EnumerateArray().Select(Parse)];
        }
    }

    /// <summary>v2's <c>{fn, sha1, size, mode}</c> or v3's <c>{path, checksum: {value}, size_in_bytes, mode}</c>.</summary>
    private static Fingerprint Parse(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("invalid :resources");
        }

        var v3 = entry.TryGetProperty("checksum", out var checksum);
        JsonElement fn = default, sha1 = default, size = default;
        if (!(v3
                ? entry.TryGetProperty("path", out fn) && checksum.ValueKind == JsonValueKind.Object && checksum.TryGetProperty("value", out sha1)
                    && entry.TryGetProperty("size_in_bytes", out size)
                : entry.TryGetProperty("fn", out fn) && entry.TryGetProperty("sha1", out sha1) && entry.TryGetProperty("size", out size))
            || fn.ValueKind != JsonValueKind.String || sha1.ValueKind != JsonValueKind.String || !size.TryGetInt64(out var bytes) || bytes < 0)
        {
            throw Invalid("invalid :resources");
        }

        var path = ZipPaths.SafeRelative(fn.GetString()!)
            ?? throw new CloudControllerException(CfErrorCode.AppResourcesFilePathInvalid,
                $"The resource file path is invalid: File path '{fn.GetString()}' is not safe.");
        // The sha1 names a blob of the resource cache: only a real digest may reach storage.
        var digest = sha1.GetString()!.ToLowerInvariant();
        if (!IsSha1(digest))
        {
            throw Invalid($"resource sha1 '{Shorten(sha1.GetString()!)}' is not a 40-character hex digest");
        }

        return new Fingerprint(path, bytes, digest, ParseMode(entry));
    }

    /// <summary>Exactly 40 lower-case hex digits.</summary>
    public static bool IsSha1(string value) =>
        value.Length == 40 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static string Shorten(string value) => value.Length <= 64 ? value : $"{value[..64]}...";

    private static int ParseMode(JsonElement entry)
    {
        if (!entry.TryGetProperty("mode", out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            return DefaultMode;
        }

        var text = raw.ValueKind == JsonValueKind.Number ? raw.GetRawText() : raw.GetString() ?? "";
        var valid = text.Length is > 0 and <= 7 && text.All(c => c is >= '0' and <= '7');
        var mode = valid ? Convert.ToInt32(text, 8) : 0;
        // The owner must be able to read and write the file (mode & 0600 == 0600). setuid, setgid and sticky bits are
        // dropped: a package carries permissions, never privileges.
        return valid && (mode & 0x180) == 0x180 && mode <= 0xFFF
            ? mode & PermissionBits
            : throw new CloudControllerException(CfErrorCode.AppResourcesFileModeInvalid,
                $"The resource file mode is invalid: File mode '{text}' is invalid.");
    }

    private static CloudControllerException Invalid(string detail) =>
        new(CfErrorCode.AppBitsUploadInvalid, $"The app upload is invalid: {detail}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Path} ({Size} bytes, {Sha1})");
}

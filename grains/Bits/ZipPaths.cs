namespace CloudController.Grains.Bits;

/// <summary>Path rules for app bits: every path stays inside the app root.</summary>
internal static class ZipPaths
{
    /// <summary>The normalized relative path, or null when it is absolute or climbs out of the root (<c>a/../b</c> is fine).</summary>
    public static string? SafeRelative(string path)
    {
        var unified = path.Replace('\\', '/');
        if (unified.Length == 0 || unified.StartsWith('/') || (unified.Length > 1 && unified[1] == ':') || unified.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var segments = new List<string>();
        foreach (var segment in unified.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    /// <summary>Whether a symlink at <paramref name="linkPath"/> pointing at <paramref name="target"/> stays inside the root.</summary>
    public static bool LinkStaysInside(string linkPath, string target)
    {
        var unified = target.Replace('\\', '/');
        if (unified.StartsWith('/') || (unified.Length > 1 && unified[1] == ':'))
        {
            return false;
        }

        var directory = linkPath.Contains('/', StringComparison.Ordinal) ? linkPath[..linkPath.LastIndexOf('/')] : "";
        var depth = 0;
        foreach (var segment in $"{directory}/{unified}".Split('/'))
        {
            depth += segment switch { "" or "." => 0, ".." => -1, _ => 1 };
            if (depth < 0)
            {
                return false;
            }
        }

        return true;
    }
}

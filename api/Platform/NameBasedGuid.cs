using System.Security.Cryptography;
using System.Text;

namespace CloudController.Api.Platform;

/// <summary>RFC 4122 version-5 guids: the same name always gives the same guid (for configured, non-stored resources).</summary>
internal static class NameBasedGuid
{
    private static readonly Guid Namespace = new("5b1f0b3e-8f53-4c6c-9d1e-3c0a4cc0c0de");

    public static Guid Create(string kind, string name)
    {
        Span<byte> ns = stackalloc byte[16];
        Namespace.TryWriteBytes(ns, bigEndian: true, out _);
        var input = ns.ToArray().Concat(Encoding.UTF8.GetBytes($"{kind}:{name}")).ToArray();
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 specifies; this is naming, not security.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

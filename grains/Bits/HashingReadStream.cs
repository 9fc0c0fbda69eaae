using System.Security.Cryptography;
using CloudController.Storage;

namespace CloudController.Grains.Bits;

/// <summary>A read-through stream (owning its source) that computes the sha1 of everything read through it.</summary>
internal sealed class HashingReadStream(Stream inner) : ReadThroughStream(inner, ownsInner: true)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

    /// <summary>The sha1 (lower-case hex) of what was read so far.</summary>
    public string Sha1() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    protected override void Observe(ReadOnlySpan<byte> chunk) => _hash.AppendData(chunk);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}

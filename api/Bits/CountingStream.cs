using CloudController.GrainInterfaces.Errors;
using CloudController.Storage;

namespace CloudController.Api.Bits;

/// <summary>A read-through stream that fails once more than <paramref name="limit"/> bytes have passed.</summary>
internal sealed class CountingStream(Stream inner, long limit, Func<CloudControllerException> tooLarge) : ReadThroughStream(inner, ownsInner: false)
{
    public long Count { get; private set; }

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    protected override void Observe(ReadOnlySpan<byte> chunk)
    {
        Count += chunk.Length;
        if (Count > limit)
        {
            throw tooLarge();
        }
    }
}

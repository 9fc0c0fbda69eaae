namespace CloudController.GrainInterfaces.Bits;

/// <summary>Blob names for bits (DESIGN.md layout), shared by the api (which writes uploads) and the grains.</summary>
public static class BitsBlobNames
{
    public static string Package(Guid packageGuid) => packageGuid.ToString("D");

    public static string Droplet(Guid dropletGuid) => dropletGuid.ToString("D");

    /// <summary>The cache key of a file's content: its lower-case sha1.</summary>
    public static string Resource(string sha1) => sha1.ToLowerInvariant();

    /// <summary>The uploaded application zip of one upload.</summary>
    public static string UploadedZip(Guid uploadId) => $"{uploadId:D}/application.zip";

    /// <summary>The <c>resources</c> fingerprint list of one upload, as the client sent it.</summary>
    public static string UploadedResources(Guid uploadId) => $"{uploadId:D}/resources.json";
}

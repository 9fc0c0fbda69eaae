namespace CloudController.Tests.Infrastructure;

/// <summary>Small bits limits for the test system, so oversize and zip-bomb cases cost little.</summary>
public static class TestLimits
{
    public const long MaxPackageSize = 4L * 1024 * 1024;
    public const long MaxUploadSize = 6L * 1024 * 1024;
}

namespace CloudController.Grains.Apps;

/// <summary>
/// <c>CloudController:Apps</c>: the platform's hard maxima for what one app may ask for, whatever its quota allows.
/// Anything a client stores here becomes work for every reader (a stats entry per instance), so it is bounded where it
/// enters.
/// </summary>
public sealed record AppLimits
{
    public const string Section = "CloudController:Apps";

    public static AppLimits Default { get; } = new();

    /// <summary>Instances one app may ask for.</summary>
    public int MaxInstances { get; init; } = 1000;

    /// <summary>Memory (MB) one instance may ask for.</summary>
    public int MaxMemory { get; init; } = 32768;
}

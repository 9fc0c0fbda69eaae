using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Work;

/// <summary>
/// A whole system (silo and api) whose package builds and stagings pass through <see cref="WorkGates"/>, with a short
/// work timeout and the default three attempts. The timeout is 5 s, not shorter: the tests assert that reads and deletes
/// answer while an attempt is still held, and with 2 s an attempt timed out under the whole suite on two cores (GC
/// pauses over a second) before they could.
/// </summary>
public sealed class HeldWorkFixture : CloudControllerFixture
{
    public HeldWorkFixture()
        : this(new WorkGates())
    {
    }

    private HeldWorkFixture(WorkGates gates)
        : base(new Dictionary<string, string?> { ["CloudController:Work:Timeout"] = "00:00:05", ["CloudController:Work:MaxAttempts"] = "3" }, gates.Install) =>
        Gates = gates;

    public WorkGates Gates { get; }
}

[CollectionDefinition(Name)]
public sealed class HeldWorkSuite : ICollectionFixture<HeldWorkFixture>
{
    public const string Name = "HeldWork";
}

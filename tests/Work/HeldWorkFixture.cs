using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Work;

/// <summary>
/// A whole system (silo and api) whose package builds and stagings pass through <see cref="WorkGates"/>, with a short
/// work timeout (2 s) and the default three attempts.
/// </summary>
public sealed class HeldWorkFixture : CloudControllerFixture
{
    public HeldWorkFixture()
        : this(new WorkGates())
    {
    }

    private HeldWorkFixture(WorkGates gates)
        : base(new Dictionary<string, string?> { ["CloudController:Work:Timeout"] = "00:00:02", ["CloudController:Work:MaxAttempts"] = "3" }, gates.Install) =>
        Gates = gates;

    public WorkGates Gates { get; }
}

[CollectionDefinition(Name)]
public sealed class HeldWorkSuite : ICollectionFixture<HeldWorkFixture>
{
    public const string Name = "HeldWork";
}

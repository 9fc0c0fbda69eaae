using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.CfCli;

/// <summary>A system whose API listens on a loopback port, so that the real cf CLI can talk to it.</summary>
public sealed class CfCliFixture : CloudControllerFixture
{
    private readonly int _port = TestStorage.FreePort();

    /// <summary>
    /// Staging's last lines lead its end, so the CLI's push output shows them. The CLI reads only lines older than 2 s,
    /// every 250 ms when it finds none, and stops at the staging's end: <c>./run.sh</c>'s 2.5 s leaves its reads half a
    /// second, which a machine running the whole suite on two cores sometimes does not give them (a restage showed no
    /// staging line at all); 5 s leaves them three.
    /// </summary>
    public CfCliFixture()
        : base(new Dictionary<string, string?> { ["CloudController:Runtime:StagingLogLead"] = "00:00:05" }, null)
    {
    }

    public string Url => $"http://127.0.0.1:{_port}";

    protected override int? RealServerPort => _port;
}

/// <summary>The cf v6 tier: routing, users and roles.</summary>
[CollectionDefinition(Name)]
public sealed class CfCliSuite : ICollectionFixture<CfCliFixture>
{
    public const string Name = "cf CLI";
}

/// <summary>cf v7's push and app commands, on a system of their own (in parallel with the other cf tiers).</summary>
[CollectionDefinition(Name)]
public sealed class Cf7PushSuite : ICollectionFixture<CfCliFixture>
{
    public const string Name = "cf v7 push";
}

/// <summary>cf v7 pushing a manifest and the package-by-package flow, on a system of their own.</summary>
[CollectionDefinition(Name)]
public sealed class Cf7ManifestSuite : ICollectionFixture<CfCliFixture>
{
    public const string Name = "cf v7 manifest";
}

/// <summary>The cf v6 runtime commands (push, scale, restage, logs, ...), on a system of their own.</summary>
[CollectionDefinition(Name)]
public sealed class CfCliRuntimeSuite : ICollectionFixture<CfCliFixture>
{
    public const string Name = "cf CLI runtime";
}

/// <summary>cf v7's platform commands (orgs, spaces, users, roles, domains, routes, quotas), on a system of their own.</summary>
[CollectionDefinition(Name)]
public sealed class Cf7PlatformSuite : ICollectionFixture<CfCliFixture>
{
    public const string Name = "cf v7 platform";
}

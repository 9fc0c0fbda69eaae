using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.CfCli;

/// <summary>A system whose API listens on a loopback port, so that the real cf CLI can talk to it.</summary>
public sealed class CfCliFixture : CloudControllerFixture
{
    private readonly int _port = TestStorage.FreePort();

    public string Url => $"http://127.0.0.1:{_port}";

    protected override int? RealServerPort => _port;
}

[CollectionDefinition(Name)]
public sealed class CfCliSuite : ICollectionFixture<CfCliFixture>
{
    public const string Name = "cf CLI";
}

namespace CloudController.Api.Platform;

/// <summary>Platform catalog (configuration section <c>CloudController:Platform</c>): stacks and the default quota.</summary>
internal sealed class PlatformOptions
{
    public string DefaultStack { get; set; } = "cflinuxfs2";

    public List<StackDefinition> Stacks { get; set; } = [];

    public string DefaultQuotaDefinition { get; set; } = "default";
}

internal sealed class StackDefinition
{
    public string Name { get; set; } = "";

    public string Description { get; set; } = "";
}

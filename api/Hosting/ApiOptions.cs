namespace CloudController.Api.Hosting;

/// <summary>Front-end settings (configuration section <c>CloudController:Api</c>).</summary>
internal sealed class ApiOptions
{
    /// <summary>The URL clients reach this api at (behind a load balancer); empty = taken from each request.</summary>
    public string? ExternalUrl { get; set; }
}

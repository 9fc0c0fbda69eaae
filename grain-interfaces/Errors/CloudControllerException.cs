namespace CloudController.GrainInterfaces.Errors;

/// <summary>A Cloud Controller API error raised in a grain or in the api; the api turns it into the CF error envelope.</summary>
/// <remarks>The message is the filled CF description (v2 <c>description</c>, v3 <c>detail</c>).</remarks>
[GenerateSerializer, Alias("CloudController.GrainInterfaces.Errors.CloudControllerException")]
public sealed class CloudControllerException(CfErrorCode code, string description) : Exception(description)
{
    [Id(0)]
    public CfErrorCode Code { get; } = code;

    public static CloudControllerException MessageParse(string detail) =>
        new(CfErrorCode.MessageParseError, $"Request invalid due to parse error: {detail}");

    public static CloudControllerException BadQuery(string detail) =>
        new(CfErrorCode.BadQueryParameter, $"The query parameter is invalid: {detail}");

    public static CloudControllerException Unprocessable(string detail) =>
        new(CfErrorCode.UnprocessableEntity, detail);

    public static CloudControllerException OrganizationNotFound(object guid) =>
        new(CfErrorCode.OrganizationNotFound, $"The organization could not be found: {guid}");

    public static CloudControllerException SpaceNotFound(object guid) =>
        new(CfErrorCode.SpaceNotFound, $"The app space could not be found: {guid}");

    public static CloudControllerException ProcessNotFound() => new(CfErrorCode.ProcessNotFound, "Process not found");

    public static CloudControllerException AppNotFound(object guid) =>
        new(CfErrorCode.AppNotFound, $"The app could not be found: {guid}");

    public static CloudControllerException AppInvalid(string detail) =>
        new(CfErrorCode.AppInvalid, $"The app is invalid: {detail}");

    public static CloudControllerException PackageNotFound() =>
        new(CfErrorCode.ResourceNotFound, "Package not found");

    public static CloudControllerException DropletNotFound() =>
        new(CfErrorCode.ResourceNotFound, "Droplet not found");

    public static CloudControllerException BuildpackNotFound(object guid) =>
        new(CfErrorCode.NotFound, $"Unknown request: buildpack {guid}");

    public static CloudControllerException DomainNotFound(object guid) =>
        new(CfErrorCode.DomainNotFound, $"The domain could not be found: {guid}");

    public static CloudControllerException RouteNotFound(object guid) =>
        new(CfErrorCode.RouteNotFound, $"The route could not be found: {guid}");

    public static CloudControllerException QuotaDefinitionNotFound(object guid) =>
        new(CfErrorCode.QuotaDefinitionNotFound, $"Quota Definition could not be found: {guid}");

    public static CloudControllerException InvalidRelation(string detail) =>
        new(CfErrorCode.InvalidRelation, detail);
}

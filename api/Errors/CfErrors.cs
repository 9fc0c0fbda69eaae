using CloudController.Api.Http;
using CloudController.GrainInterfaces.Errors;
using CloudController.Hosting;

namespace CloudController.Api.Errors;

/// <summary>Maps any exception to the CF error a client should see; never leaks internals for unexpected failures.</summary>
internal static class CfErrors
{
    public static CfErrorResult From(Exception exception, ApiVersion version) => exception switch
    {
        CloudControllerException e => ForVersion(new CfErrorResult(StatusOf(e.Code), e.Code, e.Message), version),
        // A grain that cannot activate because of its own stored state (the storage names the problem): an error of
        // that one resource, not a cluster that should be retried.
        OrleansException { InnerException: CloudControllerException e } => From(e, version),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(413, CfErrorCode.InvalidRequest, "The request is invalid: request body too large"),
        BadHttpRequestException => ForVersion(
            new(400, CfErrorCode.MessageParseError, "Request invalid due to parse error: invalid request body"), version),
        // The cluster's passing state (no gateway, a silo that died mid-call, a call that timed out under load, a write
        // that lost an ETag race): nothing was acknowledged, and the same request can be sent again. Anything else is
        // a bug: a 500 that the handler logs with the request id.
        _ when Transience.IsTransient(exception) =>
            new(503, CfErrorCode.ServiceUnavailable, "The service is unavailable: the cluster did not answer in time; retry the request."),
        _ => CfErrorResult.Unknown,
    };

    /// <summary>v3 names errors generically: resource-specific not-founds become ResourceNotFound, scope failures NotAuthorized.</summary>
    public static CfErrorResult ForVersion(CfErrorResult error, ApiVersion version)
    {
        if (version == ApiVersion.V2)
        {
            return error;
        }

        return error.Code switch
        {
            CfErrorCode.OrganizationNotFound => new(404, CfErrorCode.ResourceNotFound, "Organization not found"),
            CfErrorCode.SpaceNotFound => new(404, CfErrorCode.ResourceNotFound, "Space not found"),
            CfErrorCode.AppNotFound => new(404, CfErrorCode.ResourceNotFound, "App not found"),
            CfErrorCode.StackNotFound => new(404, CfErrorCode.ResourceNotFound, "Stack not found"),
            CfErrorCode.InsufficientScope => new(403, CfErrorCode.NotAuthorized, "You are not authorized to perform the requested action"),
            CfErrorCode.AppNameTaken => new(422, CfErrorCode.UnprocessableEntity, "name must be unique in space"),
            CfErrorCode.AppInvalid or CfErrorCode.AppMemoryInvalid or CfErrorCode.AppPackageInvalid =>
                new(422, CfErrorCode.UnprocessableEntity, error.Description),
            CfErrorCode.AppMemoryQuotaExceeded => new(422, CfErrorCode.UnprocessableEntity, "memory quota_exceeded"),
            CfErrorCode.QuotaInstanceMemoryLimitExceeded => new(422, CfErrorCode.UnprocessableEntity, "memory instance_limit_exceeded"),
            CfErrorCode.QuotaInstanceLimitExceeded => new(422, CfErrorCode.UnprocessableEntity, "instances quota_exceeded"),
            CfErrorCode.DomainNotFound => new(404, CfErrorCode.ResourceNotFound, "Domain not found"),
            CfErrorCode.RouteNotFound => new(404, CfErrorCode.ResourceNotFound, "Route not found"),
            CfErrorCode.UserNotFound => new(404, CfErrorCode.ResourceNotFound, "User not found"),
            CfErrorCode.QuotaDefinitionNotFound => new(404, CfErrorCode.ResourceNotFound, "Organization quota not found"),
            CfErrorCode.FeatureFlagNotFound => new(404, CfErrorCode.ResourceNotFound, "Feature flag not found"),
            CfErrorCode.AppPackageNotFound => new(404, CfErrorCode.ResourceNotFound, "Package not found"),
            // Validation and uniqueness failures are v3's 422 with the grain's own words.
            CfErrorCode.OrganizationInvalid or CfErrorCode.OrganizationNameTaken or CfErrorCode.SpaceInvalid or CfErrorCode.SpaceNameTaken
                or CfErrorCode.DomainInvalid or CfErrorCode.DomainNameTaken or CfErrorCode.TotalPrivateDomainsExceeded or CfErrorCode.RouteInvalid
                or CfErrorCode.RouteHostTaken or CfErrorCode.RoutePathTaken or CfErrorCode.OrgQuotaTotalRoutesExceeded
                or CfErrorCode.QuotaDefinitionInvalid or CfErrorCode.QuotaDefinitionNameTaken or CfErrorCode.InvalidRelation
                or CfErrorCode.AssociationNotEmpty or CfErrorCode.UaaIdTaken or CfErrorCode.BuildpackNameTaken or CfErrorCode.BuildpackInvalid =>
                new(422, CfErrorCode.UnprocessableEntity, error.Description),
            _ => error,
        };
    }

    /// <summary>HTTP status of each CF error (errors/v2.yml); anything not listed is a 400.</summary>
    public static int StatusOf(CfErrorCode code) => code switch
    {
        CfErrorCode.InvalidAuthToken or CfErrorCode.NotAuthenticated => 401,
        CfErrorCode.NotAuthorized or CfErrorCode.InsufficientScope or CfErrorCode.FeatureDisabled => 403,
        CfErrorCode.NotFound or CfErrorCode.ResourceNotFound or CfErrorCode.OrganizationNotFound
            or CfErrorCode.SpaceNotFound or CfErrorCode.AppNotFound or CfErrorCode.AppPackageNotFound
            or CfErrorCode.StackNotFound or CfErrorCode.UserNotFound or CfErrorCode.FeatureFlagNotFound
            or CfErrorCode.DomainNotFound or CfErrorCode.RouteNotFound or CfErrorCode.QuotaDefinitionNotFound or CfErrorCode.ProcessNotFound => 404,
        CfErrorCode.UnprocessableEntity or CfErrorCode.StagingInProgress => 422,
        CfErrorCode.UnknownError or CfErrorCode.OrderByParameterInvalid or CfErrorCode.BlobstoreError => 500,
        CfErrorCode.BlobstoreUnavailable => 502,
        CfErrorCode.ServiceUnavailable => 503,
        _ => 400,
    };
}

using CloudController.Api.Auth;
using CloudController.Api.Errors;
using CloudController.Api.Json;
using CloudController.Api.Platform;
using CloudController.Storage;

namespace CloudController.Api.Hosting;

internal static class ApiServiceCollectionExtensions
{
    public static IServiceCollection AddCloudControllerApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => BlobStorageConnection.CreateClient(BlobStorageConnection.ConnectionString(configuration)));
        services.AddSingleton<BitsContainers>();
        CloudController.Hosting.Telemetry.AddCloudControllerTelemetry(services, configuration, "cloudcontroller-api");
        BitsOptions.AddTo(services);
        services.ConfigureHttpJsonOptions(json => CfJson.Configure(json.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<CfErrorHandler>();
        services.AddOptions<ApiOptions>().BindConfiguration("CloudController:Api");
        services.AddOptions<PlatformOptions>().BindConfiguration("CloudController:Platform");
        services.AddOptions<UaaOptions>().BindConfiguration("Uaa")
            .Validate(o => o.AccessTokenLifetime > TimeSpan.Zero && o.RefreshTokenLifetime > TimeSpan.Zero,
                "Uaa: AccessTokenLifetime and RefreshTokenLifetime must be positive.")
            .Validate(o => o.LockoutMaxFailures >= 1 && o.LockoutWindow > TimeSpan.Zero && o.LockoutDuration >= TimeSpan.Zero,
                "Uaa: LockoutMaxFailures must be at least 1, LockoutWindow positive and LockoutDuration not negative.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Issuer), "Uaa: Issuer must not be empty.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BaseUrl>();
        services.AddSingleton<PlatformCatalog>();
        services.AddSingleton<PlatformSeed>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<Uaa.UaaDirectory>();
        services.AddSingleton<Auth.AccessControl>();
        services.AddCfAuthorization();
        return services;
    }
}

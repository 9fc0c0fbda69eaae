using CloudController.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CloudController.Hosting;

/// <summary>
/// Metrics and traces through OpenTelemetry for the API, the silos and the router. Metrics: ASP.NET Core and
/// HttpClient, Orleans' own meter (grain calls, activations, messaging), the storage requests of every client
/// (<see cref="StorageMetrics"/>) and the process's own meters (named when it adds telemetry), scraped at
/// <c>/metrics</c> (Prometheus text). Traces: ASP.NET Core, HttpClient and Orleans' grain calls (activity
/// propagation carries a request's trace from the API into the silo). Both go to an OTLP collector when one is
/// configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, the standard variable); without one, no spans are made at all.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddCloudControllerTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName, params string[] meters)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter(StorageMetrics.MeterName, "Microsoft.Orleans", "Polly")
                .AddMeter(meters)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Spans are made only when something takes them: without a collector no request pays for them.
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != MetricsPath)
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return services;
    }

    public const string MetricsPath = "/metrics";

    /// <summary>The Prometheus scrape endpoint; the caller adds what guards it.</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder endpoints) => endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
}

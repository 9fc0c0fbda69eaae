using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;

namespace CloudController.Grains.Hosting;

/// <summary>
/// The silo's retry pipelines (Polly, through Microsoft.Extensions.Resilience), by name. Each waits on the silo's
/// <see cref="TimeProvider"/>, so a test's fake clock drives it. Inside a grain, run a pipeline with
/// <see cref="InTurnAsync"/>: a retry then resumes in the grain's own turn, not on the thread pool.
/// </summary>
public static class Retries
{
    /// <summary>
    /// Until it answers (a grain reloading what is stored after a write it gave up on: it serves nothing meanwhile):
    /// 200 ms, doubling to at most 5 s, with jitter.
    /// </summary>
    public const string UntilAnswered = "until-answered";

    /// <summary>A report to a grain that may be moving between silos: four more tries, 1 s apart and growing by 1 s.</summary>
    public const string Report = "report";

    /// <summary>The outcome of durable work handed back to its grain: three more tries (200 ms, 1 s, 3 s) while the grain is interrupted.</summary>
    public const string WorkDelivery = "work-delivery";

    /// <summary>Registers the pipelines; their retries are counted on Polly's meter (<c>resilience_polly_strategy_events</c> in <c>/metrics</c>).</summary>
    public static IServiceCollection AddCloudControllerRetries(this IServiceCollection services)
    {
        services.AddResilienceEnricher();
        services.AddResiliencePipeline(UntilAnswered, (pipeline, context) =>
        {
            pipeline.TimeProvider = Clock(context.ServiceProvider);
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OutOfMemoryException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
            });
        });
        services.AddResiliencePipeline(Report, (pipeline, context) =>
        {
            pipeline.TimeProvider = Clock(context.ServiceProvider);
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OutOfMemoryException),
                MaxRetryAttempts = 4,
                BackoffType = DelayBackoffType.Linear,
                Delay = TimeSpan.FromSeconds(1),
            });
        });
        services.AddResiliencePipeline(WorkDelivery, (pipeline, context) =>
        {
            pipeline.TimeProvider = Clock(context.ServiceProvider);
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(Work.WorkInterruption.Is),
                MaxRetryAttempts = 3,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.AttemptNumber switch
                {
                    0 => TimeSpan.FromMilliseconds(200),
                    1 => TimeSpan.FromSeconds(1),
                    _ => TimeSpan.FromSeconds(3),
                }),
            });
        });
        return services;
    }

    /// <summary>
    /// Runs <paramref name="action"/> through <paramref name="pipeline"/>, resuming on the caller's scheduler after each
    /// wait (Polly's default leaves it): a grain's retries stay in the grain's turn.
    /// </summary>
    public static async Task InTurnAsync(this ResiliencePipeline pipeline, Func<CancellationToken, ValueTask> action, CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken);
        try
        {
            await pipeline.ExecuteAsync(static (context, action) => action(context.CancellationToken), context, action);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static TimeProvider Clock(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;
}

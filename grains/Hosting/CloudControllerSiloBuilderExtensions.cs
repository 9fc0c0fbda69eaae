using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CloudController.Grains.Apps;
using CloudController.Grains.Bits;
using CloudController.Grains.Indexes;
using CloudController.Grains.Staging;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using CloudController.Hosting;
using CloudController.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Text.Json.Serialization;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CloudController.Grains.Hosting;

/// <summary>The one silo wiring, used by <c>silo/Program.cs</c> and by the tests' silos.</summary>
public static class CloudControllerSiloBuilderExtensions
{
    /// <summary>
    /// Configures the host as a Cloud Controller silo on one storage account (<paramref name="connectionString"/>):
    /// clustering, grain state in blobs and reminders in tables (Orleans' Azure Storage providers), durable work.
    /// <paramref name="storagePolicy"/>, when given, sees every storage request the silo makes (tests inject faults there).
    /// Without <paramref name="clustering"/> the host brings its own membership and endpoints (the tests' in-process cluster).
    /// </summary>
    public static IHostApplicationBuilder AddCloudControllerSilo(
        this IHostApplicationBuilder builder, string connectionString, Action<ISiloBuilder>? configureSilo = null,
        Azure.Core.Pipeline.HttpPipelinePolicy? storagePolicy = null, bool clustering = true)
    {
        var configuration = builder.Configuration;
        var blobs = BlobStorageConnection.CreateClient(connectionString, policy: storagePolicy);
        var tables = TableStorageConnection.CreateClient(connectionString, storagePolicy);
        builder.Services.AddSingleton(blobs);
        builder.Services.AddSingleton<BitsContainers>();
        BitsOptions.AddTo(builder.Services);
        builder.Services.AddOptions<WorkOptions>().BindConfiguration(WorkOptions.Section)
            .Validate(o => o.MaxAttempts >= 1 && o.Timeout > TimeSpan.Zero && o.ResumePeriod >= TimeSpan.FromSeconds(1),
                $"{WorkOptions.Section}: MaxAttempts must be at least 1, Timeout positive and ResumePeriod at least one second.")
            .ValidateOnStart();
        builder.Services.AddOptions<AppLimits>().BindConfiguration(AppLimits.Section);
        builder.Services.AddOptions<Quotas.UsageOptions>().BindConfiguration(Quotas.UsageOptions.Section);
        builder.Services.AddSingleton<BitsWorkGate>();
        builder.Services.AddSingleton<IBitsService, BlobBitsService>();
        builder.Services.AddOptions<Runtime.Local.LocalRuntimeOptions>().BindConfiguration(Runtime.Local.LocalRuntimeOptions.Section);
        if (string.Equals(configuration[$"{Runtime.RuntimeOptions.Section}:Provider"], Runtime.RuntimeOptions.Local, StringComparison.OrdinalIgnoreCase))
        {
            // Apps really run here: staging runs buildpacks, instances are processes on this machine.
            builder.Services.AddSingleton<Runtime.Local.OsProcesses>();
            builder.Services.AddSingleton<Runtime.Local.DropletFiles>();
            builder.Services.AddSingleton<Runtime.Local.AppLogWriter>();
            builder.Services.AddSingleton<Runtime.Local.LocalRuntime>();
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Runtime.Local.LocalRuntimeStartup>();
            builder.Services.TryAddSingleton<Runtime.IAppRuntime>(sp => sp.GetRequiredService<Runtime.Local.LocalRuntime>());
            builder.Services.TryAddSingleton<IStager, BuildpackStager>();
        }

        builder.Services.TryAddSingleton<IStager, BlobStager>();
        builder.Services.AddSingleton<IIndexJournal, BlobIndexJournal>();
        builder.Services.AddSingleton<LegacyIndexMigration>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LegacyIndexMigration>());
        builder.Services.AddCloudControllerRetries();
        builder.Services.AddSingleton<WorkRunner>();
        builder.Services.AddOptions<Runtime.RuntimeOptions>().BindConfiguration(Runtime.RuntimeOptions.Section)
            .Validate(o => o.StartDelay >= TimeSpan.Zero && o.TaskDuration >= TimeSpan.Zero && o.ConvergencePeriod >= TimeSpan.FromSeconds(1)
                    && o.StagingLogLead >= TimeSpan.Zero && o.StagingLogLead <= TimeSpan.FromMinutes(1),
                $"{Runtime.RuntimeOptions.Section}: StartDelay and TaskDuration must not be negative, ConvergencePeriod at least one second, StagingLogLead between 0 and 1 minute.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<Runtime.IAppRuntime, Runtime.SimulatedRuntime>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Runtime.RuntimeConvergenceStartup>();
        builder.Services.AddHostedService<Runtime.RuntimeMetrics>();
        builder.Services.AddOptions<Events.EventsOptions>().BindConfiguration(Events.EventsOptions.Section);
        builder.Services.AddSingleton(sp => new Events.EventTable(tables, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Events.EventsOptions>>()));
        builder.Services.AddSingleton<Events.TableBatches>();
        builder.Services.AddSingleton<Events.AuditTrail>();
        builder.Services.AddCloudControllerTelemetry(configuration, "cloudcontroller-silo", GrainMetrics.MeterName);
        builder.UseOrleans(silo =>
        {
            if (clustering)
            {
                silo.UseCloudControllerClustering(configuration, tables);
            }

            silo.AddCloudControllerStorage(blobs, configuration);
            silo.AddCloudControllerReminders(tables, configuration);
            silo.AddActivityPropagation();
            silo.Configure<GrainCollectionOptions>(o =>
                o.CollectionAge = configuration.GetValue("Orleans:CollectionAge", TimeSpan.FromMinutes(15)));
            configureSilo?.Invoke(silo);
        });
        return builder;
    }

    /// <summary>
    /// Checks the names a silo's host is built with (its grain-state container, reminder and event tables, clustering),
    /// so that a mistake is reported as one <see cref="OrleansConfigurationException"/> rather than a failed host start.
    /// The option values the silo reads later are validated by the options themselves when the host starts.
    /// </summary>
    public static void ValidateSiloConfiguration(IConfiguration configuration)
    {
        var container = GrainStateContainer(configuration);
        if (!ContainerNames.IsValid(container))
        {
            throw new OrleansConfigurationException(ContainerNames.Problem("CloudController:GrainStorage:ContainerName", container));
        }

        var work = configuration.GetSection(WorkOptions.Section).Get<WorkOptions>() ?? new WorkOptions();
        TableNames.Validate($"{WorkOptions.Section}:ReminderTable", work.ReminderTable);
        var events = configuration.GetSection(Events.EventsOptions.Section).Get<Events.EventsOptions>() ?? new Events.EventsOptions();
        TableNames.Validate($"{Events.EventsOptions.Section}:Table", events.Table);

        _ = ClusteringSettings.From(configuration);
    }

    /// <summary>
    /// Grain state through Orleans' <c>AzureBlobGrainStorage</c> in container <c>CloudController:GrainStorage:ContainerName</c>
    /// (default <c>grain-state</c>), serialized as plain JSON (System.Text.Json, enums by name, no type metadata), behind
    /// <see cref="CloudControllerGrainStorage"/>. <c>CloudController:GrainStorage:SkipReadOfNewGrains</c> (default true)
    /// turns its read-skip for freshly created grains off.
    /// </summary>
    public static ISiloBuilder AddCloudControllerStorage(this ISiloBuilder silo, BlobServiceClient blobs, IConfiguration configuration)
    {
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer, SystemTextJsonGrainStorageSerializer>(StorageNames.Blobs);
        silo.Services.Configure<SystemTextJsonGrainStorageSerializerOptions>(o =>
            o.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        silo.AddAzureBlobGrainStorage(StorageNames.Blobs, (AzureBlobStorageOptions o) =>
        {
            o.BlobServiceClient = blobs;
            o.ContainerName = GrainStateContainer(configuration);
        });
        var skipReads = configuration.GetValue("CloudController:GrainStorage:SkipReadOfNewGrains", true);
        silo.Services.AddGrainStorage(StorageNames.CloudController, (sp, _) => new CloudControllerGrainStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(StorageNames.Blobs),
            skipReads,
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<ILogger<CloudControllerGrainStorage>>()));
        return silo;
    }

    /// <summary>
    /// Reminders in the storage account's table <c>CloudController:Work:ReminderTable</c>: they resume unfinished work
    /// after a silo dies or the system restarts. Orleans' minimum reminder period follows <c>CloudController:Work:ResumePeriod</c>.
    /// </summary>
    public static ISiloBuilder AddCloudControllerReminders(this ISiloBuilder silo, TableServiceClient tables, IConfiguration configuration)
    {
        var work = configuration.GetSection(WorkOptions.Section).Get<WorkOptions>() ?? new WorkOptions();
        silo.UseAzureTableReminderService((Orleans.Reminders.AzureStorage.AzureTableReminderStorageOptions o) =>
        {
            o.TableServiceClient = tables;
            o.TableName = work.ReminderTable;
        });
        silo.Configure<ReminderOptions>(o =>
            o.MinimumReminderPeriod = work.ResumePeriod < o.MinimumReminderPeriod ? work.ResumePeriod : o.MinimumReminderPeriod);
        return silo;
    }

    private static string GrainStateContainer(IConfiguration configuration) =>
        configuration["CloudController:GrainStorage:ContainerName"] ?? BlobContainers.GrainState;
}

using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Lists;
using CloudController.Grains.Bits;
using CloudController.Grains.Runtime.Local;
using CloudController.Storage;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace CloudController.Grains.Staging;

/// <summary>
/// The local runtime's stager: Cloud Foundry's buildpack protocol on the silo's machine. The package is unpacked into
/// a build folder; the app's buildpack (or, when it names none, the first enabled admin buildpack whose
/// <c>bin/detect</c> passes, in position order, then the built-in ones) runs <c>bin/supply</c> (for all but the last),
/// <c>bin/finalize</c> or <c>bin/compile</c>, and <c>bin/release</c>, as its own user, with a per-app cache folder
/// and the staging timeout; what they print streams to the app's log as <c>STG</c> lines. The droplet holds
/// <c>app/</c>, <c>deps/</c> and <c>staging_info.yml</c>. Built in, so a fresh machine stages without uploading
/// anything: <c>staticfile_buildpack</c> (the app's files served by the project's small static server) and
/// <c>binary_buildpack</c> (the app's files, started by its Procfile or command).
/// </summary>
public sealed class BuildpackStager(
    BitsContainers containers,
    BitsWorkGate gate,
    LocalRuntime runtime,
    OsProcesses os,
    AppLogWriter logs,
    IGrainFactory grains,
    IOptions<LocalRuntimeOptions> options) : IStager
{
    public const string Staticfile = "staticfile_buildpack";
    public const string Binary = "binary_buildpack";

    /// <summary>Bytes of <c>bin/release</c> output kept (it is YAML naming the start command).</summary>
    private const int MaxReleaseBytes = 64 * 1024;

    public Task<StagingOutcome> StageAsync(StagingRequest request, Guid dropletGuid, CancellationToken cancellationToken) =>
        gate.RunAsync(request.AppGuid, () => StageNowAsync(request, dropletGuid, cancellationToken), cancellationToken);

    private async Task<StagingOutcome> StageNowAsync(StagingRequest request, Guid dropletGuid, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StagingTimeout);
        var work = Path.Combine(runtime.Root, "staging", $"{dropletGuid:N}-{Guid.NewGuid():N}");
        var layout = Path.Combine(work, "droplet");
        var build = Path.Combine(layout, "app");
        var deps = Path.Combine(layout, "deps");
        var cache = Path.Combine(runtime.Root, "cache", request.AppGuid.ToString("N"));
        var uid = runtime.Uids.Take();
        try
        {
            foreach (var folder in new[] { build, deps, cache, Path.Combine(work, "tmp") })
            {
                Directory.CreateDirectory(folder);
            }

            var package = Path.Combine(work, "package.zip");
            try
            {
                var packages = await containers.GetAsync(BlobContainers.Packages);
                await packages.GetBlobClient(BitsBlobNames.Package(request.Package.PackageGuid)).DownloadToAsync(package, timeout.Token);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                throw new StagingFailedException(StagingFailureReasons.StagingError, "Staging error: the app package is gone");
            }

            try
            {
                ZipFile.ExtractToDirectory(package, build);
            }
            catch (InvalidDataException)
            {
                throw new StagingFailedException(StagingFailureReasons.StagingError, "Staging error: the app package is not a valid zip");
            }

            File.Delete(package);
            var candidates = await CandidatesAsync(request.Buildpack, work, timeout.Token);
            if (uid is { } owner)
            {
                await OsProcesses.GiveAsync(work, owner, timeout.Token);
                await OsProcesses.GiveAsync(cache, owner, timeout.Token);
            }

            var stage = new Stage(this, request.AppGuid, work, build, deps, cache, uid, timeout.Token);
            var chosen = request.Buildpack is not null ? candidates[0] : await DetectAsync(candidates, stage);
            Line(request.AppGuid, $"-----> {chosen.Name} detected", false);
            var (command, types) = await chosen.BuildAsync(stage);
            var procfile = BuildpackDetector.ProcessTypes(ReadProcfile(build));
            var processes = types.SetItems(procfile);
            var start = processes.GetValueOrDefault("web") ?? command ?? "";
            processes = start.Length > 0 ? processes.SetItem("web", start) : processes;
            await File.WriteAllTextAsync(Path.Combine(layout, "staging_info.yml"),
                JsonSerializer.Serialize(new Dictionary<string, string> { ["detected_buildpack"] = chosen.Name, ["start_command"] = start }), timeout.Token);
            var droplet = Path.Combine(work, "droplet.zip");
            ZipFile.CreateFromDirectory(layout, droplet, CompressionLevel.Fastest, includeBaseDirectory: false);
            var droplets = await containers.GetAsync(BlobContainers.Droplets);
            await droplets.GetBlobClient(BitsBlobNames.Droplet(dropletGuid)).UploadAsync(droplet, BlobTransfers.Overwrite(BlobTransfers.Bounded), timeout.Token);
            await using var stored = File.OpenRead(droplet);
            return new StagingOutcome(chosen.Name, start, new PackageInfo(dropletGuid, PackageBuilder.Sha1Of(stored), stored.Length), processes);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StagingFailedException(StagingFailureReasons.StagingTimeExpired,
                $"Staging time expired: staging took longer than {options.Value.StagingTimeout.TotalMinutes:0.#} minutes");
        }
        finally
        {
            if (uid is { } given)
            {
                runtime.Uids.Give(given);
            }

            TryDelete(work);
        }
    }

    /// <summary>The named buildpack alone, or every enabled admin buildpack with bits (position order) and then the built-in ones.</summary>
    private async Task<List<Buildpack>> CandidatesAsync(string? named, string work, CancellationToken cancellationToken)
    {
        var admin = await grains.GetGrain<IListGrain>(0).BuildpacksAsync(new ListFilter(), ListWindow.All);
        var uploaded = admin.Items.Where(b => b.Filename is not null).OrderBy(b => b.Position).ThenBy(b => b.CreatedAt).ToList();
        if (named is not null)
        {
            if (uploaded.FirstOrDefault(b => b.Name == named) is { } chosen)
            {
                return [await UploadedAsync(chosen, work, cancellationToken)];
            }

            return named switch
            {
                Staticfile => [new StaticfileBuildpack()],
                Binary => [new BinaryBuildpack()],
                _ => throw new StagingFailedException(StagingFailureReasons.StagingError,
                    $"Staging error: the buildpack {named} has no bits here; the local runtime runs admin buildpacks whose bits were uploaded, and the built-in {Staticfile} and {Binary}"),
            };
        }

        var candidates = new List<Buildpack>();
        foreach (var buildpack in uploaded.Where(b => b.Enabled))
        {
            candidates.Add(await UploadedAsync(buildpack, work, cancellationToken));
        }

        candidates.Add(new StaticfileBuildpack());
        candidates.Add(new BinaryBuildpack());
        return candidates;
    }

    private async Task<Buildpack> UploadedAsync(BuildpackSnapshot buildpack, string work, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(work, "buildpacks", buildpack.Guid.ToString("N"));
        var zip = folder + ".zip";
        Directory.CreateDirectory(folder);
        try
        {
            var blobs = await containers.GetAsync(BlobContainers.Buildpacks);
            await blobs.GetBlobClient(buildpack.Guid.ToString("D")).DownloadToAsync(zip, cancellationToken);
            ZipFile.ExtractToDirectory(zip, folder);
        }
        catch (Exception ex) when (ex is RequestFailedException or InvalidDataException)
        {
            throw new StagingFailedException(StagingFailureReasons.StagingError, $"Staging error: the bits of buildpack {buildpack.Name} could not be read");
        }
        finally
        {
            File.Delete(zip);
        }

        // Zips made without permissions leave the scripts unrunnable: bin/ is the buildpack's interface, so it runs.
        if (!OperatingSystem.IsWindows() && Directory.Exists(Path.Combine(folder, "bin")))
        {
            foreach (var script in Directory.EnumerateFiles(Path.Combine(folder, "bin")))
            {
                File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }

        return new UploadedBuildpack(buildpack.Name, folder);
    }

    private static async Task<Buildpack> DetectAsync(List<Buildpack> candidates, Stage stage)
    {
        foreach (var candidate in candidates)
        {
            if (await candidate.DetectsAsync(stage))
            {
                return candidate;
            }
        }

        throw new StagingFailedException(StagingFailureReasons.NoAppDetectedError, BlobStager.NoAppDetected);
    }

    private static string? ReadProcfile(string build)
    {
        var path = Path.Combine(build, "Procfile");
        if (!File.Exists(path))
        {
            return null;
        }

        return new FileInfo(path).Length > BlobStager.MaxProcfileBytes
            ? throw new StagingFailedException(StagingFailureReasons.StagingError, $"Staging error: the Procfile is larger than {BlobStager.MaxProcfileBytes} bytes")
            : File.ReadAllText(path);
    }

    private void Line(Guid app, string message, bool error) => logs.Write(app, "STG", "0", message, error);

    private string Marker => runtime.Marker;

    private Task<System.Diagnostics.Process> StartAsync(IReadOnlyList<string> arguments, Dictionary<string, string> environment, string directory, int? uid) =>
        os.StartAsync(arguments, environment, directory, uid);

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder left here is removed when the silo next starts.
        }
    }

    /// <summary>One staging's folders, user and deadline, and how it runs a buildpack's program.</summary>
    private sealed record Stage(BuildpackStager Stager, Guid App, string Work, string Build, string Deps, string Cache, int? Uid, CancellationToken Token)
    {
        /// <summary>Runs a program of the staging as its user; its output goes to the log unless <paramref name="capture"/> keeps it.</summary>
        public async Task<(int Status, string Output)> RunAsync(IReadOnlyList<string> arguments, bool capture)
        {
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = Build,
                ["TMPDIR"] = Path.Combine(Work, "tmp"),
                ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
                ["LANG"] = "en_US.UTF-8",
                ["CF_STACK"] = "cflinuxfs4",
                ["DEPS_DIR"] = Deps,
                ["MEMORY_LIMIT"] = "1024m",
            };
            var marker = Stager.Marker.Split('=', 2);
            environment[marker[0]] = marker[1];
            using var process = await Stager.StartAsync(arguments, environment, Build, Uid);
            var output = new StringBuilder();
            var pumps = Task.WhenAll(
                PumpAsync(process.StandardOutput, capture ? output : null, false),
                PumpAsync(process.StandardError, null, true));
            try
            {
                await process.WaitForExitAsync(Token);
                await pumps;
                return (process.ExitCode, output.ToString());
            }
            catch (OperationCanceledException)
            {
                OsProcesses.SignalGroup(process.Id, OsProcesses.SigKill);
                throw;
            }
        }

        private async Task PumpAsync(StreamReader reader, StringBuilder? keep, bool error)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (keep is not null)
                {
                    if (keep.Length < MaxReleaseBytes)
                    {
                        keep.AppendLine(line);
                    }
                }
                else
                {
                    Stager.Line(App, line.Length > 4096 ? line[..4096] : line, error);
                }
            }
        }
    }

    private abstract record Buildpack(string Name)
    {
        public abstract Task<bool> DetectsAsync(Stage stage);

        /// <summary>Builds the app; the start command and process types the buildpack names (the Procfile's win over them).</summary>
        public abstract Task<(string? Command, ImmutableDictionary<string, string> Types)> BuildAsync(Stage stage);
    }

    /// <summary>An admin buildpack's own scripts, run as CF runs them.</summary>
    private sealed record UploadedBuildpack(string Name, string Folder) : Buildpack(Name)
    {
        private string Bin(string program) => Path.Combine(Folder, "bin", program);

        public override async Task<bool> DetectsAsync(Stage stage) =>
            File.Exists(Bin("detect")) && (await stage.RunAsync([Bin("detect"), stage.Build], capture: true)).Status == 0;

        public override async Task<(string? Command, ImmutableDictionary<string, string> Types)> BuildAsync(Stage stage)
        {
            int status;
            if (File.Exists(Bin("finalize")))
            {
                var index = Path.Combine(stage.Deps, "0");
                Directory.CreateDirectory(index);
                if (File.Exists(Bin("supply")))
                {
                    (status, _) = await stage.RunAsync([Bin("supply"), stage.Build, stage.Cache, stage.Deps, "0"], capture: false);
                    Fail(status, StagingFailureReasons.BuildpackCompileFailed, "App staging failed in the buildpack compile phase");
                }

                var profile = Path.Combine(stage.Build, ".profile.d");
                Directory.CreateDirectory(profile);
                (status, _) = await stage.RunAsync([Bin("finalize"), stage.Build, stage.Cache, stage.Deps, "0", profile], capture: false);
            }
            else if (File.Exists(Bin("compile")))
            {
                (status, _) = await stage.RunAsync([Bin("compile"), stage.Build, stage.Cache], capture: false);
            }
            else
            {
                status = 1;
            }

            Fail(status, StagingFailureReasons.BuildpackCompileFailed, "App staging failed in the buildpack compile phase");
            if (!File.Exists(Bin("release")))
            {
                return (null, ImmutableDictionary<string, string>.Empty);
            }

            var (released, output) = await stage.RunAsync([Bin("release"), stage.Build], capture: true);
            Fail(released, StagingFailureReasons.BuildpackReleaseFailed, "App staging failed in the buildpack release phase");
            var types = DefaultProcessTypes(output);
            return (types.GetValueOrDefault("web"), types);
        }

        private static void Fail(int status, string reason, string message)
        {
            if (status != 0)
            {
                throw new StagingFailedException(reason, message);
            }
        }

        /// <summary><c>default_process_types</c> of <c>bin/release</c>'s YAML (an unreadable answer is a release failure).</summary>
        private static ImmutableDictionary<string, string> DefaultProcessTypes(string yaml)
        {
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(yaml));
                if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
                    || !root.Children.TryGetValue(new YamlScalarNode("default_process_types"), out var node) || node is not YamlMappingNode types)
                {
                    return ImmutableDictionary<string, string>.Empty;
                }

                return types.Children
                    .Where(p => p.Key is YamlScalarNode { Value: not null } && p.Value is YamlScalarNode { Value: not null })
                    .Take(BlobStager.MaxProcessTypes)
                    .ToImmutableDictionary(p => ((YamlScalarNode)p.Key).Value!.ToLowerInvariant(), p => ((YamlScalarNode)p.Value).Value!);
            }
            catch (YamlDotNet.Core.YamlException)
            {
                throw new StagingFailedException(StagingFailureReasons.BuildpackReleaseFailed, "App staging failed in the buildpack release phase");
            }
        }
    }

    /// <summary>Serves the app's files (or its <c>Staticfile</c>'s <c>root:</c> folder) with the project's static server.</summary>
    private sealed record StaticfileBuildpack() : Buildpack(Staticfile)
    {
        public const string ServerAssembly = "CloudController.StaticServer";

        private static readonly string[] ServerFiles = [.. new[] { ".dll", ".runtimeconfig.json", ".deps.json" }.Select(suffix => ServerAssembly + suffix)];

        public override Task<bool> DetectsAsync(Stage stage) =>
            Task.FromResult(File.Exists(Path.Combine(stage.Build, "index.html")) || File.Exists(Path.Combine(stage.Build, "Staticfile")));

        public override async Task<(string? Command, ImmutableDictionary<string, string> Types)> BuildAsync(Stage stage)
        {
            var root = StaticRoot(stage.Build);
            var public_ = Path.Combine(stage.Work, "public");
            Directory.Move(stage.Build, public_);
            Directory.CreateDirectory(stage.Build);
            Directory.Move(public_, Path.Combine(stage.Build, "public"));
            var server = Path.Combine(stage.Build, ".static");
            Directory.CreateDirectory(server);
            foreach (var file in ServerFiles)
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, file), Path.Combine(server, file));
            }

            var boot = Path.Combine(stage.Build, "boot.sh");
            await File.WriteAllTextAsync(boot,
                $"#!/bin/sh\nexec dotnet \"$HOME/.static/{ServerAssembly}.dll\" \"$HOME/public{(root.Length > 0 ? "/" + root : "")}\"\n", stage.Token);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(boot, (UnixFileMode)0b111_101_101);
            }

            stage.Stager.Line(stage.App, "-----> Serving the app's files with the built-in static server", false);
            return ("$HOME/boot.sh", ImmutableDictionary<string, string>.Empty.Add("web", "$HOME/boot.sh"));
        }

        /// <summary>The <c>root:</c> a Staticfile names, when it is a folder inside the app.</summary>
        private static string StaticRoot(string build)
        {
            var staticfile = Path.Combine(build, "Staticfile");
            if (!File.Exists(staticfile) || new FileInfo(staticfile).Length > 64 * 1024)
            {
                return "";
            }

            foreach (var line in File.ReadLines(staticfile))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("root:", StringComparison.Ordinal))
                {
                    var root = trimmed["root:".Length..].Trim().Trim('"', '\'').Trim('/');
                    var full = Path.GetFullPath(Path.Combine(build, root));
                    return root.Length > 0 && full.StartsWith(build + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Directory.Exists(full) ? root : "";
                }
            }

            return "";
        }
    }

    /// <summary>Runs the app's files as they are: its Procfile or its command starts it.</summary>
    private sealed record BinaryBuildpack() : Buildpack(Binary)
    {
        public override Task<bool> DetectsAsync(Stage stage) => Task.FromResult(File.Exists(Path.Combine(stage.Build, "Procfile")));

        public override Task<(string? Command, ImmutableDictionary<string, string> Types)> BuildAsync(Stage stage) =>
            Task.FromResult<(string?, ImmutableDictionary<string, string>)>((null, ImmutableDictionary<string, string>.Empty));
    }
}

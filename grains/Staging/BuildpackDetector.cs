namespace CloudController.Grains.Staging;

/// <summary>
/// Buildpack detection from the package's file list, in admin-buildpack order; a Procfile's <c>web:</c> line sets the
/// start command. Pure: paths in, (buildpack, start command) out.
/// </summary>
internal static class BuildpackDetector
{
    private static readonly Rule[] Rules =
    [
        new("java_buildpack", f => f.Root.Any(n => n == "pom.xml" || n.EndsWith(".jar", StringComparison.Ordinal)),
            f => f.Root.FirstOrDefault(n => n.EndsWith(".jar", StringComparison.Ordinal)) is { } jar ? $"java -jar {jar}" : "java -jar target/app.jar"),
        new("ruby_buildpack", f => f.Root.Contains("Gemfile"), _ => "bundle exec rackup config.ru -p $PORT"),
        new("nodejs_buildpack", f => f.Root.Contains("package.json"), _ => "npm start"),
        new("go_buildpack", f => f.Root.Contains("go.mod"), _ => "./bin/app"),
        new("python_buildpack", f => f.Root.Contains("requirements.txt") || f.Root.Contains("setup.py"),
            f => f.Root.Contains("app.py") ? "python app.py" : "python -m app"),
        new("dotnet_core_buildpack", f => f.Root.Any(n => n.EndsWith(".csproj", StringComparison.Ordinal) || n.EndsWith(".fsproj", StringComparison.Ordinal)),
            f => $"cd ${{HOME}} && exec ./{Path.GetFileNameWithoutExtension(f.Root.First(n => n.EndsWith("proj", StringComparison.Ordinal)))}"),
        new("staticfile_buildpack", f => f.Root.Contains("index.html") || f.Root.Contains("Staticfile"), _ => "$HOME/boot.sh"),
    ];

    /// <summary>The buildpack and start command, or null when nothing detects (and no buildpack was named).</summary>
    public static (string Buildpack, string StartCommand)? Detect(IReadOnlyCollection<string> paths, string? explicitBuildpack, string? procfile)
    {
        var files = new Files(paths.Where(p => !p.Contains('/', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal));
        var procfileCommand = WebCommand(procfile);
        if (explicitBuildpack is not null)
        {
            // An explicit buildpack always wins; its start command comes from the matching rule when its files are there.
            var rule = Rules.FirstOrDefault(r => r.Name == explicitBuildpack && r.Detects(files));
            return (explicitBuildpack, procfileCommand ?? rule?.StartCommand(files) ?? "");
        }

        var detected = Rules.FirstOrDefault(r => r.Detects(files));
        return detected is null ? null : (detected.Name, procfileCommand ?? detected.StartCommand(files));
    }

    private static string? WebCommand(string? procfile) =>
        procfile?.Split('\n')
            .Select(line => line.Trim())
            .FirstOrDefault(line => line.StartsWith("web:", StringComparison.Ordinal))?[4..].Trim() is { Length: > 0 } command
            ? command
            : null;

    private sealed record Files(HashSet<string> Root);

    private sealed record Rule(string Name, Func<Files, bool> Detects, Func<Files, string> StartCommand);
}

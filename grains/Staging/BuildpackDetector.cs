using System.Collections.Immutable;

namespace CloudController.Grains.Staging;

/// <summary>
/// Buildpack detection from the package's file list, in admin-buildpack order; a Procfile's <c>web:</c> line sets the
/// start command and its other lines name the app's other process types. Pure: paths in, what was detected out.
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

    /// <summary>The buildpack, start command and process types, or null when nothing detects (and no buildpack was named).</summary>
    public static Detected? Detect(IReadOnlyCollection<string> paths, string? explicitBuildpack, string? procfile)
    {
        var files = new Files(paths.Where(p => !p.Contains('/', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal));
        var declared = ProcessTypes(procfile);
        var procfileCommand = declared.GetValueOrDefault(Web);
        if (explicitBuildpack is not null)
        {
            // An explicit buildpack always wins; its start command comes from the matching rule when its files are there.
            var rule = Rules.FirstOrDefault(r => r.Name == explicitBuildpack && r.Detects(files));
            return Of(explicitBuildpack, procfileCommand ?? rule?.StartCommand(files) ?? "", declared);
        }

        var detected = Rules.FirstOrDefault(r => r.Detects(files));
        return detected is null ? null : Of(detected.Name, procfileCommand ?? detected.StartCommand(files), declared);
    }

    /// <summary>
    /// A Procfile's process types (<c>type: command</c> lines; a type is letters, digits, <c>-</c> and <c>_</c>, at
    /// most 255 characters, compared in lower case as CF does). Blank lines, comments and malformed lines are skipped;
    /// a type named twice keeps its last command.
    /// </summary>
    public static ImmutableDictionary<string, string> ProcessTypes(string? procfile)
    {
        var types = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var raw in procfile?.Split('\n') ?? [])
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.StartsWith('#') || colon <= 0 || colon > 255)
            {
                continue;
            }

            var type = line[..colon].Trim().ToLowerInvariant();
            var command = line[(colon + 1)..].Trim();
            if (command.Length > 0 && type.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                types[type] = command;
            }
        }

        return types.ToImmutable();
    }

    private static Detected Of(string buildpack, string startCommand, ImmutableDictionary<string, string> declared) =>
        new(buildpack, startCommand, declared.SetItem(Web, startCommand));

    private const string Web = "web";

    /// <summary>What staging found: the buildpack, the web start command, and every process type (web included).</summary>
    public sealed record Detected(string Buildpack, string StartCommand, ImmutableDictionary<string, string> ProcessTypes);

    private sealed record Files(HashSet<string> Root);

    private sealed record Rule(string Name, Func<Files, bool> Detects, Func<Files, string> StartCommand);
}

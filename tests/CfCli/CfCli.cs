using System.Diagnostics;

namespace CloudController.Tests.CfCli;

/// <summary>
/// The official cf CLI v6 (<c>../shared/tools/cf-cli/cf</c> beside the repository, or <c>CF_CLI</c>), run with its own
/// <c>CF_HOME</c> so that each user has its own login. Tests using it skip, saying why, where the binary is absent.
/// </summary>
public sealed class CfCli : IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("cf-home-");

    public static string? Binary { get; } = Locate();

    public static string MissingMessage => "the cf CLI binary is absent (set CF_CLI or place it at ../shared/tools/cf-cli/cf)";

    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Binary ?? throw new InvalidOperationException(MissingMessage))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CF_HOME"] = _home.FullName;
        start.Environment["CF_COLOR"] = "false";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>
    /// Runs a command and fails the test unless it exits with <paramref name="exitCode"/>, prints <paramref name="text"/>
    /// and does not warn about the API version; answers the output.
    /// </summary>
    public async Task<string> ExpectAsync(int exitCode, string text, params string[] args)
    {
        var (code, output) = await RunAsync(args);
        Xunit.Assert.True(code == exitCode && output.Contains(text, StringComparison.Ordinal),
            $"cf {string.Join(' ', args)} exited {code}, expected {exitCode} and \"{text}\":\n{output}");
        Xunit.Assert.DoesNotContain("is no longer supported", output, StringComparison.Ordinal);
        return output;
    }

    public void Dispose() => _home.Delete(recursive: true);

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("CF_CLI") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.CloudController.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "tools", "cf-cli", "cf"));
                return File.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

using System.Diagnostics;

namespace CloudController.Tests.CfCli;

/// <summary>
/// An official cf CLI, run with its own <c>CF_HOME</c> so that each user has its own login: v6
/// (<c>../shared/tools/cf-cli/cf</c> beside the repository, or <c>CF_CLI</c>) or, made with <see cref="V7"/>, v7
/// (<c>../shared/tools/cf7-cli/cf</c>, or <c>CF7_CLI</c>). Tests using one skip, saying why, where its binary is absent.
/// </summary>
public sealed class CfCli(bool v7 = false) : IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("cf-home-");

    public static string? Binary { get; } = Locate("CF_CLI", "cf-cli");

    public static string? V7Binary { get; } = Locate("CF7_CLI", "cf7-cli");

    public static string MissingMessage => "the cf CLI binary is absent (set CF_CLI or place it at ../shared/tools/cf-cli/cf)";

    public static string V7MissingMessage => "the cf CLI v7 binary is absent (set CF7_CLI or place it at ../shared/tools/cf7-cli/cf)";

    /// <summary>A cf CLI v7 with its own home.</summary>
    public static CfCli V7() => new(v7: true);

    /// <summary>Logs in to <paramref name="api"/> as admin, creates org <paramref name="org"/> with a space <c>dev</c>, and targets it.</summary>
    public async Task TargetNewSpaceAsync(string api, string org)
    {
        await ExpectAsync(0, "OK", "api", api);
        await ExpectAsync(0, "OK", "auth", "admin", "admin");
        await ExpectAsync(0, "OK", "create-org", org);
        await ExpectAsync(0, "OK", "create-space", "dev", "-o", org);
        await ExpectAsync(0, "space:          dev", "target", "-o", org, "-s", "dev");
    }

    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var binary = v7 ? V7Binary ?? throw new InvalidOperationException(V7MissingMessage) : Binary ?? throw new InvalidOperationException(MissingMessage);
        var start = new ProcessStartInfo(binary)
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
        Xunit.Assert.DoesNotContain("minimum supported API version", output, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("unable to determine whether targeted API's version", output, StringComparison.Ordinal);
        return output;
    }

    public void Dispose() => _home.Delete(recursive: true);

    private static string? Locate(string variable, string folder)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.CloudController.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "tools", folder, "cf"));
                return File.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CloudController.Tests.Infrastructure;

/// <summary>
/// A real process of one of the built programs (<c>silo/</c> or <c>api/</c>, the same build configuration as the tests),
/// on free ports: the cluster tests' silos, the API started fresh. Killed hard, never asked.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly int _httpPort = TestStorage.FreePort();
    private readonly string _name;
    private readonly string _program;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Queue<string> _lastLines = new();
    private readonly List<string> _errors = [];
    private int _errorLinesToKeep;
    private Process? _process;

    private HostProcess(string name, string program, IReadOnlyDictionary<string, string> environment) =>
        (_name, _program, _environment) = (name, program, environment);

    /// <summary>A silo (<c>CloudController.Silo.dll</c>); its dashboard port serves <see cref="HttpAddress"/> (readyz).</summary>
    public static HostProcess Silo(string name, IReadOnlyDictionary<string, string> environment) => new(name, "silo", environment);

    /// <summary>An API instance (<c>CloudController.Api.dll</c>) listening on <see cref="HttpAddress"/>.</summary>
    public static HostProcess Api(string name, IReadOnlyDictionary<string, string> environment) => new(name, "api", environment);

    /// <summary>A router (<c>CloudController.Router.dll</c>) listening on <see cref="HttpAddress"/>.</summary>
    public static HostProcess Router(string name, IReadOnlyDictionary<string, string> environment) => new(name, "router", environment);

    public string Name => _name;

    public Uri HttpAddress => new($"http://127.0.0.1:{_httpPort}");

    public void Start()
    {
        var (dll, folder) = ProgramDll(_program);
        var start = new ProcessStartInfo("dotnet", [dll, "--contentRoot", folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var port = _httpPort.ToString(CultureInfo.InvariantCulture);
        if (_program == "silo")
        {
            start.Environment["ORLEANS_SILO_PORT"] = TestStorage.FreePort().ToString(CultureInfo.InvariantCulture);
            start.Environment["ORLEANS_GATEWAY_PORT"] = TestStorage.FreePort().ToString(CultureInfo.InvariantCulture);
            start.Environment["ORLEANS_DASHBOARD_PORT"] = port;
        }
        else if (_program == "router")
        {
            start.Environment["ROUTER_PORT"] = port;
        }
        else
        {
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{_name} did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until the process's /readyz reports <paramref name="activeSilos"/> active silos.</summary>
    public async Task WaitReadyAsync(HttpClient http, int activeSilos, TimeSpan timeout)
    {
        try
        {
            await Eventually.ValueAsync($"{_name} ready with {activeSilos} silos", async () =>
            {
                if (_process is { HasExited: true })
                {
                    throw new InvalidOperationException($"{_name} exited ({_process.ExitCode}): {string.Join('\n', LastLines())}");
                }

                try
                {
                    var ready = await http.GetFromJsonAsync<JsonElement>(new Uri(HttpAddress, "/readyz"));
                    return ready.GetProperty("active_silos").GetInt32();
                }
                catch (HttpRequestException)
                {
                    // Not listening yet, or 503 while joining.
                    return 0;
                }
            }, silos => silos >= activeSilos, timeout);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new TimeoutException($"{ex.Message}: {string.Join('\n', LastLines())}");
        }
    }

    /// <summary>SIGKILL to this process alone (not the processes it started): what a crash of the machine's program looks like to its children.</summary>
    public void KillAlone()
    {
        _process?.Kill(entireProcessTree: false);
        _process?.WaitForExit();
    }

    /// <summary>SIGKILL: no graceful shutdown, no deactivation, no goodbye to the cluster.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
    }

    /// <summary>The process's error log entries (a "fail:" or "crit:" line and the lines after it), for failure messages.</summary>
    public string[] Errors()
    {
        lock (_lastLines)
        {
            return [.. _errors];
        }
    }

    public string[] LastLines()
    {
        lock (_lastLines)
        {
            return [.. _lastLines];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            {
                _errorLinesToKeep = 8;
            }

            if (_errorLinesToKeep > 0 && _errors.Count < 400)
            {
                _errorLinesToKeep--;
                _errors.Add(line);
            }

            _lastLines.Enqueue(line);
            while (_lastLines.Count > 40)
            {
                _lastLines.Dequeue();
            }
        }
    }

    /// <summary><c>&lt;program&gt;/bin/&lt;configuration&gt;/net10.0/CloudController.&lt;Program&gt;.dll</c>, built with the tests, and its folder.</summary>
    private static (string Dll, string Folder) ProgramDll(string program)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orleans.CloudController.sln")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Orleans.CloudController.sln not found above the test binaries"),
            program, "bin", configuration, testBin.Name);
        var dll = Path.Combine(folder, $"CloudController.{char.ToUpperInvariant(program[0])}{program[1..]}.dll");
        return File.Exists(dll) ? (dll, folder) : throw new FileNotFoundException($"Build the solution first: the {program} program is missing.", dll);
    }
}

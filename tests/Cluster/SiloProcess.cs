using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CloudController.Tests.Cluster;

/// <summary>A real silo process (the built <c>silo/</c> program) in a test cluster clustered through a membership table; killed hard, never asked.</summary>
public sealed class SiloProcess(string name, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private readonly int _httpPort = Infrastructure.TestStorage.FreePort();
    private readonly Queue<string> _lastLines = new();
    private readonly List<string> _errors = [];
    private int _errorLinesToKeep;
    private Process? _process;

    public string Name => name;

    public Uri HttpAddress => new($"http://127.0.0.1:{_httpPort}");

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", [SiloDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ORLEANS_SILO_PORT"] = Infrastructure.TestStorage.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["ORLEANS_GATEWAY_PORT"] = Infrastructure.TestStorage.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["ORLEANS_DASHBOARD_PORT"] = _httpPort.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until the silo's /readyz reports <paramref name="activeSilos"/> active silos.</summary>
    public async Task WaitReadyAsync(HttpClient http, int activeSilos, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{name} exited ({_process.ExitCode}): {string.Join('\n', LastLines())}");
            }

            try
            {
                var ready = await http.GetFromJsonAsync<JsonElement>(new Uri(HttpAddress, "/readyz"));
                if (ready.GetProperty("active_silos").GetInt32() >= activeSilos)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet, or 503 while joining.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{name} was not ready with {activeSilos} silos within {timeout}: {string.Join('\n', LastLines())}");
    }

    /// <summary>SIGKILL: no graceful shutdown, no deactivation, no goodbye to the cluster.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
    }

    /// <summary>The silo's error log entries (a "fail:" or "crit:" line and the lines after it), for failure messages.</summary>
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

    /// <summary><c>silo/bin/&lt;configuration&gt;/net10.0/CloudController.Silo.dll</c>, built with the tests (same configuration).</summary>
    private static string SiloDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orleans.CloudController.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Orleans.CloudController.sln not found above the test binaries"),
            "silo", "bin", configuration, testBin.Name, "CloudController.Silo.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the silo program is missing.", dll);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace CloudController.Grains.Runtime.Local;

/// <summary>
/// What the local runtime asks of the operating system (Linux): starting a program in its own session and process
/// group, as its own user when the silo is root, bound to die with the silo (a parent-death signal); signalling a
/// whole group; giving a folder to a user; and reading every process's CPU and memory from <c>/proc</c>.
/// </summary>
public sealed partial class OsProcesses : IDisposable
{
    public const int SigKill = 9;

    /// <summary>
    /// The parent-death signal every started program carries: its launcher traps it and kills its whole process group,
    /// so what the program started dies with the silo too (a parent-death signal itself is not inherited by children).
    /// </summary>
    public const string SilosGoneSignal = "USR2";
    public const int SigTerm = 15;

    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> _starts = new();
    private readonly Thread _spawner;
    private readonly bool _pdeathsig;

    public OsProcesses()
    {
        IsRoot = geteuid() == 0;
        _pdeathsig = Supports("setpriv", "--pdeathsig");
        // The parent-death signal fires when the thread that started a process ends, so every process is started from
        // this one thread, which lives as long as the runtime (thread-pool threads come and go).
        _spawner = new Thread(Spawn) { IsBackground = true, Name = "local-runtime-spawner" };
        _spawner.Start();
    }

    /// <summary>Whether the silo runs as root (then instances run as their own unprivileged users).</summary>
    public bool IsRoot { get; }

    /// <summary>
    /// Starts <paramref name="arguments"/> in a new session (its process group id is its pid), as <paramref name="uid"/>
    /// when given, with exactly <paramref name="environment"/> (nothing of the silo's own) in <paramref name="directory"/>.
    /// Output and error are redirected; input is empty.
    /// </summary>
    public Task<Process> StartAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string directory, int? uid)
    {
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var prefix = new List<string>();
        if (uid is { } id || _pdeathsig)
        {
            prefix.Add("setpriv");
            if (uid is { } user)
            {
                var text = user.ToString(CultureInfo.InvariantCulture);
                prefix.AddRange(["--reuid", text, "--regid", text, "--clear-groups"]);
            }

            if (_pdeathsig)
            {
                prefix.AddRange(["--pdeathsig", SilosGoneSignal]);
            }

            prefix.Add("--");
        }

        foreach (var argument in prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _starts.Add((start, started));
        return started.Task;
    }

    private void Spawn()
    {
        foreach (var (start, started) in _starts.GetConsumingEnumerable())
        {
            try
            {
                var process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
                process.StandardInput.Close();
                started.SetResult(process);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                started.SetException(ex);
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/> to every process in the group; false when the group is gone.</summary>
    public static bool SignalGroup(int processGroup, int signal) => processGroup > 1 && kill(-processGroup, signal) == 0;

    /// <summary>SIGKILL to one process; false when it is gone.</summary>
    public static bool Kill(int pid) => pid > 1 && kill(pid, SigKill) == 0;

    /// <summary>Gives <paramref name="directory"/> and everything in it to <paramref name="uid"/>, readable by it alone.</summary>
    public static async Task GiveAsync(string directory, int uid, CancellationToken cancellationToken)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        using var chown = Process.Start(new ProcessStartInfo("chown", ["-R", $"{id}:{id}", directory]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("chown did not start");
        await chown.WaitForExitAsync(cancellationToken);
        if (chown.ExitCode != 0)
        {
            throw new IOException($"chown -R {id} {directory} exited with {chown.ExitCode}");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>CPU time (clock ticks) and resident bytes of every live process, summed by process group.</summary>
    public static Dictionary<int, (long CpuTicks, long ResidentBytes)> UsageByGroup()
    {
        var groups = new Dictionary<int, (long, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || ReadStat(dir) is not { } stat)
            {
                continue;
            }

            var (cpu, rss) = groups.GetValueOrDefault(stat.Group);
            groups[stat.Group] = (cpu + stat.CpuTicks, rss + stat.ResidentBytes);
        }

        return groups;
    }

    /// <summary>The pids of live processes whose environment holds <paramref name="marker"/> (a <c>KEY=value</c> line).</summary>
    public static List<int> WithEnvironment(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ"));
                if (environment.Split('\0').Contains(marker, StringComparer.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read.
            }
        }

        return found;
    }

    private static readonly long PageSize = Environment.SystemPageSize;

    private static (int Group, long CpuTicks, long ResidentBytes)? ReadStat(string dir)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(dir, "stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ..." where comm may hold spaces and parentheses: fields count from the last ')'.
        var end = text.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        var fields = text[(end + 2)..].Split(' ');
        return fields.Length > 21
            && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            && long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var user)
            && long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var system)
            && long.TryParse(fields[21], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pages)
            ? (group, user + system, pages * PageSize)
            : null;
    }

    private static bool Supports(string program, string option)
    {
        try
        {
            using var help = Process.Start(new ProcessStartInfo(program, ["--help"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (help is null)
            {
                return false;
            }

            var text = help.StandardOutput.ReadToEnd();
            help.WaitForExit();
            return text.Contains(option, StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _starts.CompleteAdding();
        _spawner.Join(TimeSpan.FromSeconds(5));
        _starts.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}

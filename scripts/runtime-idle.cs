#:project ../grains/CloudController.Grains.csproj
// The simulated runtime alone with many desired processes (one instance each), as a silo holds them while that many
// STARTED apps sit idle: memory per process, timers, and the cost of reading every report (what the convergence pass
// and the instance endpoints read). Usage: dotnet run scripts/runtime-idle.cs [PROCESSES] [IDLE_SECONDS]
using System.Diagnostics;
using CloudController.Grains.Runtime;
using Microsoft.Extensions.Options;

var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
var idleSeconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
var options = Options.Create(new RuntimeOptions { StartDelay = TimeSpan.FromSeconds(1) });
using var runtime = new SimulatedRuntime(options, TimeProvider.System, null!);
var apps = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
var environment = new Dictionary<string, string>();

var before = Memory();
var desire = Stopwatch.StartNew();
foreach (var app in apps)
{
    await runtime.DesireAsync(new DesiredProcess(app, "web", Guid.NewGuid(), Guid.NewGuid(), 1, 64, 1024, "./serve", environment), CancellationToken.None);
}

desire.Stop();
var after = Memory();
await Task.Delay(TimeSpan.FromSeconds(1.5));

var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
var wall = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
process.Refresh();
var idleCpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / wall.Elapsed.TotalMilliseconds;

var read = Stopwatch.StartNew();
var running = 0;
foreach (var app in apps)
{
    running += (await runtime.ReportAsync(app, "web", CancellationToken.None)).Running;
}

read.Stop();
Console.WriteLine($"processes desired        {count:N0} in {desire.ElapsedMilliseconds} ms");
Console.WriteLine($"managed memory           {(after - before) / 1024.0 / 1024.0:F1} MiB ({(after - before) / (double)count:F0} bytes a process)");
Console.WriteLine($"timers                   {Timer.ActiveCount} active (the crash watch runs only while something crashes)");
Console.WriteLine($"idle CPU over {idleSeconds} s       {idleCpu * 100:F2}% of one core");
Console.WriteLine($"read every report        {read.ElapsedMilliseconds} ms; {running:N0} RUNNING");

static long Memory()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    return GC.GetTotalMemory(forceFullCollection: true);
}

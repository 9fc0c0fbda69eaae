using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CloudController.Api.Manifests;

/// <summary>
/// Reads an app manifest (YAML, CC's schema version 1) into <see cref="ManifestApplication"/>s, collecting every
/// problem instead of stopping at the first: the caller answers them all in one compound 422 and applies nothing.
/// Keys are accepted with <c>-</c> or <c>_</c>; a key outside the schema is an error, except those the cf CLI keeps
/// for itself (<c>path</c>). Every count and size a manifest controls is bounded (<see cref="ManifestLimits"/>).
/// </summary>
internal static class ManifestParser
{
    private static readonly HashSet<string> AppKeys =
    [
        "name", "buildpack", "buildpacks", "stack", "command", "disk_quota", "memory", "instances", "docker", "env", "health_check_type",
        "health_check_http_endpoint", "health_check_invocation_timeout", "timeout", "routes", "no_route", "random_route", "default_route",
        "services", "sidecars", "processes", "metadata", "path", "log_rate_limit_per_second",
    ];

    private static readonly HashSet<string> ProcessKeys =
    [
        "type", "command", "disk_quota", "memory", "instances", "health_check_type", "health_check_http_endpoint",
        "health_check_invocation_timeout", "timeout", "log_rate_limit_per_second",
    ];

    /// <summary>The applications and every problem found in them (a manifest that cannot be read at all raises at once).</summary>
    public static (IReadOnlyList<ManifestApplication> Apps, List<string> Problems) Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw CloudControllerException.Unprocessable($"Manifest is not valid YAML: {e.Message}");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw CloudControllerException.Unprocessable("Manifest must be a YAML mapping with an 'applications' field.");
        }

        var top = Keys(root);
        if (top.TryGetValue("version", out var version) && Scalar(version) is not "1")
        {
            throw CloudControllerException.Unprocessable("Unsupported manifest schema version. Currently supported versions: [1].");
        }

        if (top.Keys.FirstOrDefault(k => k is not ("applications" or "version")) is { } unknown)
        {
            throw CloudControllerException.Unprocessable($"Unknown field(s): '{unknown}'");
        }

        if (!top.TryGetValue("applications", out var applications) || applications is not YamlSequenceNode list || list.Children.Count == 0)
        {
            throw CloudControllerException.Unprocessable("Cannot parse manifest with no 'applications' field.");
        }

        if (list.Children.Count > ManifestLimits.MaxApplications)
        {
            throw CloudControllerException.Unprocessable($"A manifest may hold at most {ManifestLimits.MaxApplications} applications.");
        }

        var errors = new List<string>();
        var apps = new List<ManifestApplication>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            apps.Add(Application(i, list.Children[i], errors));
        }

        foreach (var duplicate in apps.Where(a => a.Name.Length > 0).GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"For application '{duplicate.Key}': Application names must be unique within a manifest");
        }

        return (apps, errors);
    }

    private static ManifestApplication Application(int index, YamlNode node, List<string> errors)
    {
        if (node is not YamlMappingNode mapping)
        {
            errors.Add($"For application at index {index}: must be a mapping");
            return new ManifestApplication(index, "");
        }

        var keys = Keys(mapping);
        var name = keys.TryGetValue("name", out var n) ? Scalar(n) ?? "" : "";
        var app = new ManifestApplication(index, name);
        var problems = new List<string>();
        if (name.Length == 0)
        {
            problems.Add("Name must not be empty");
        }

        if (keys.Keys.Where(k => !AppKeys.Contains(k)).ToList() is { Count: > 0 } unknown)
        {
            problems.Add($"Unknown field(s): {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
        }

        app.Web = Process("web", keys, problems, topLevel: true);
        ReadLifecycle(app, keys, problems);
        ReadEnvironment(app, keys, problems);
        ReadRoutes(app, keys, problems);
        ReadProcesses(app, keys, problems);
        if (keys.TryGetValue("services", out var services) && services is YamlSequenceNode { Children.Count: > 0 } bound)
        {
            foreach (var service in bound.Children)
            {
                var serviceName = service is YamlMappingNode m && Keys(m).TryGetValue("name", out var s) ? Scalar(s) : Scalar(service);
                problems.Add($"Service instance '{serviceName}' not found");
            }
        }

        if (keys.TryGetValue("sidecars", out var sidecars) && sidecars is YamlSequenceNode { Children.Count: > 0 })
        {
            problems.Add("Sidecars are not supported on this server");
        }

        if (keys.TryGetValue("metadata", out var metadata))
        {
            try
            {
                using var document = JsonDocument.Parse(new JsonObject { ["metadata"] = Json(metadata) }.ToJsonString());
                app.Metadata = Resources.MetadataRequest.Read(document.RootElement);
            }
            catch (CloudControllerException e)
            {
                problems.Add(e.Message);
            }
        }

        var prefix = name.Length > 0 ? $"For application '{name}': " : $"For application at index {index}: ";
        errors.AddRange(problems.Select(p => prefix + p));
        return app;
    }

    private static void ReadLifecycle(ManifestApplication app, Dictionary<string, YamlNode> keys, List<string> problems)
    {
        if (keys.ContainsKey("buildpack") && keys.ContainsKey("buildpacks"))
        {
            problems.Add("Buildpack and Buildpacks fields cannot be used together.");
        }

        if (keys.TryGetValue("buildpacks", out var buildpacks))
        {
            if (buildpacks is YamlSequenceNode sequence && sequence.Children.All(c => Scalar(c) is not null))
            {
                app.Buildpacks = [.. sequence.Children.Select(c => Scalar(c)!).Where(b => b is not ("default" or "null"))];
            }
            else if (buildpacks is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                app.Buildpacks = [];
            }
            else
            {
                problems.Add("Buildpacks must be a list of strings");
            }
        }
        else if (keys.TryGetValue("buildpack", out var buildpack))
        {
            app.Buildpacks = Scalar(buildpack) is { } single and not ("default" or "null" or "") ? [single] : [];
        }

        if (app.Buildpacks is { Count: > 1 })
        {
            problems.Add("Buildpacks may name one buildpack: multi-buildpack staging is not supported here");
        }

        if (keys.TryGetValue("stack", out var stack))
        {
            app.Stack = Scalar(stack) ?? "";
        }

        if (keys.TryGetValue("docker", out var docker))
        {
            if (app.Buildpacks is { Count: > 0 })
            {
                problems.Add("Cannot specify both buildpack(s) and docker keys");
            }

            app.DockerImage = docker is YamlMappingNode d && Keys(d).TryGetValue("image", out var image) ? Scalar(image) : null;
            if (string.IsNullOrEmpty(app.DockerImage))
            {
                problems.Add("Docker image must be a string");
            }
        }
    }

    private static void ReadEnvironment(ManifestApplication app, Dictionary<string, YamlNode> keys, List<string> problems)
    {
        if (!keys.TryGetValue("env", out var env))
        {
            return;
        }

        if (env is not YamlMappingNode variables)
        {
            problems.Add("Env must be an object of keys and values");
            return;
        }

        var json = new JsonObject();
        foreach (var (key, value) in variables.Children)
        {
            if (Scalar(key) is not { Length: > 0 } name || value is not YamlScalarNode scalar)
            {
                problems.Add("Env must be an object of keys and values");
                return;
            }

            json[name] = scalar.Value;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(json.ToJsonString()) > ManifestLimits.MaxEnvironmentBytes)
        {
            problems.Add($"Env must be at most {ManifestLimits.MaxEnvironmentBytes} bytes when serialized");
            return;
        }

        app.Environment = json;
    }

    private static void ReadRoutes(ManifestApplication app, Dictionary<string, YamlNode> keys, List<string> problems)
    {
        app.NoRoute = Flag(keys, "no_route", problems);
        app.RandomRoute = Flag(keys, "random_route", problems);
        app.DefaultRoute = Flag(keys, "default_route", problems);
        if (!keys.TryGetValue("routes", out var routes))
        {
            return;
        }

        if (routes is not YamlSequenceNode list)
        {
            problems.Add("Routes must be a list of route hashes");
            return;
        }

        if (list.Children.Count > ManifestLimits.MaxRoutes)
        {
            problems.Add($"Routes must be at most {ManifestLimits.MaxRoutes}");
            return;
        }

        var urls = new List<string>();
        foreach (var route in list.Children)
        {
            if (route is YamlMappingNode m && Keys(m).TryGetValue("route", out var url) && Scalar(url) is { Length: > 0 and <= 1024 } text)
            {
                urls.Add(text);
            }
            else
            {
                problems.Add("Routes must be a list of route hashes");
                return;
            }
        }

        // With no-route (cf push --no-route over a manifest with routes) every mapping goes and the routes are not read.
        app.Routes = urls;
    }

    private static void ReadProcesses(ManifestApplication app, Dictionary<string, YamlNode> keys, List<string> problems)
    {
        if (!keys.TryGetValue("processes", out var processes))
        {
            return;
        }

        if (processes is not YamlSequenceNode list)
        {
            problems.Add("Processes must be a list");
            return;
        }

        if (list.Children.Count > ManifestLimits.MaxProcesses)
        {
            problems.Add($"Processes must be at most {ManifestLimits.MaxProcesses}");
            return;
        }

        foreach (var node in list.Children)
        {
            if (node is not YamlMappingNode mapping || !Keys(mapping).TryGetValue("type", out var t) || Scalar(t) is not { Length: > 0 } type)
            {
                problems.Add("All Processes must specify a type");
                continue;
            }

            var processKeys = Keys(mapping);
            if (processKeys.Keys.Where(k => !ProcessKeys.Contains(k)).ToList() is { Count: > 0 } unknown)
            {
                problems.Add($"Process \"{type}\": Unknown field(s): {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
            }

            if (type.Length > 255 || !type.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                problems.Add($"Process \"{type}\": Type must be at most 255 letters, digits, '-' or '_'");
                continue;
            }

            if (app.Processes.Any(p => p.Type == type))
            {
                problems.Add($"Process \"{type}\" may only be present once");
                continue;
            }

            app.Processes.Add(Process(type, processKeys, problems, topLevel: false));
        }
    }

    /// <summary>A process's settings (the app's top level are the web process's).</summary>
    private static ManifestProcess Process(string type, Dictionary<string, YamlNode> keys, List<string> problems, bool topLevel)
    {
        var label = topLevel ? "" : $"Process \"{type}\": ";
        var process = new ManifestProcess(type)
        {
            Memory = Megabytes(keys, "memory", "Memory", label, problems),
            DiskQuota = Megabytes(keys, "disk_quota", "Disk quota", label, problems),
            Instances = Integer(keys, "instances", "Instances", label, problems, 0, ManifestLimits.MaxInstances),
            Timeout = Integer(keys, "timeout", "Timeout", label, problems, 1, 600),
            InvocationTimeout = Integer(keys, "health_check_invocation_timeout", "Health check invocation timeout", label, problems, 1, 600),
        };
        if (keys.TryGetValue("command", out var command))
        {
            process.Command = Scalar(command) is { Length: > 0 } text ? text : null;
            process.HasCommand = true;
            if (process.Command is { Length: > 4096 })
            {
                problems.Add($"{label}Command must be at most 4096 characters");
            }
        }

        if (keys.TryGetValue("health_check_type", out var healthCheck))
        {
            process.HealthCheckType = Scalar(healthCheck) switch
            {
                "none" => "process",
                "port" or "process" or "http" => Scalar(healthCheck),
                var other => Invalid($"{label}Health check type must be \"port\", \"process\", or \"http\" (was '{other}')", problems),
            };
        }

        if (keys.TryGetValue("health_check_http_endpoint", out var endpoint))
        {
            process.HealthCheckEndpoint = Scalar(endpoint);
            if (process.HealthCheckEndpoint is not { Length: > 0 and <= 255 } path || !path.StartsWith('/'))
            {
                problems.Add($"{label}Health check http endpoint must be a valid URI path");
            }
        }

        return process;
    }

    private static string? Invalid(string problem, List<string> problems)
    {
        problems.Add(problem);
        return null;
    }

    /// <summary>A size in megabytes: a number and a unit (B, K, KB, M, MB, G, GB, T, TB; any case), a bare number being megabytes.</summary>
    private static int? Megabytes(Dictionary<string, YamlNode> keys, string key, string label, string prefix, List<string> problems)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            return null;
        }

        var text = (Scalar(node) ?? "").Trim().ToUpperInvariant();
        var digits = text.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').Count();
        var unit = text[digits..].Trim();
        if (digits == 0 || !double.TryParse(text[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            problems.Add($"{prefix}{label} is not a number");
            return null;
        }

        double? megabytes = unit switch
        {
            "" or "M" or "MB" => number,
            "B" => number / (1024 * 1024),
            "K" or "KB" => number / 1024,
            "G" or "GB" => number * 1024,
            "T" or "TB" => number * 1024 * 1024,
            _ => null,
        };
        if (megabytes is not { } mb)
        {
            problems.Add($"{prefix}{label} must use a supported unit: B, K, KB, M, MB, G, GB, T, or TB");
            return null;
        }

        if (mb > ManifestLimits.MaxMegabytes)
        {
            problems.Add($"{prefix}{label} must be at most {ManifestLimits.MaxMegabytes}M");
            return null;
        }

        return (int)Math.Floor(mb);
    }

    private static int? Integer(Dictionary<string, YamlNode> keys, string key, string label, string prefix, List<string> problems, int min, int max)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            return null;
        }

        if (!int.TryParse(Scalar(node), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            problems.Add($"{prefix}{label} must be an integer");
            return null;
        }

        if (value < min || value > max)
        {
            problems.Add(min == 0 && value < 0
                ? $"{prefix}{label} must be greater than or equal to 0"
                : $"{prefix}{label} must be between {min} and {max}");
            return null;
        }

        return value;
    }

    private static bool Flag(Dictionary<string, YamlNode> keys, string key, List<string> problems)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            return false;
        }

        switch (Scalar(node)?.ToLowerInvariant())
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problems.Add($"{key.Replace('_', '-')} must be a boolean");
                return false;
        }
    }

    /// <summary>A mapping's entries by normalised key (<c>-</c> read as <c>_</c>); a later duplicate wins, as YAML readers do.</summary>
    private static Dictionary<string, YamlNode> Keys(YamlMappingNode mapping)
    {
        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            keys[(Scalar(key) ?? "").Replace('-', '_')] = value;
        }

        return keys;
    }

    private static string? Scalar(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>A YAML node as JSON (scalars as strings, <c>null</c>/<c>~</c> as null), for the metadata reader.</summary>
    private static JsonNode? Json(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(p => KeyValuePair.Create(Scalar(p.Key) ?? "", Json(p.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(Json)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}

/// <summary>What a manifest may cost: each bound answers CC's 422 when passed (README, bad input).</summary>
internal static class ManifestLimits
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxApplications = 100;
    public const int MaxProcesses = 50;
    public const int MaxRoutes = 100;
    public const int MaxInstances = 2000;
    public const int MaxMegabytes = 1024 * 1024;
    public const int MaxEnvironmentBytes = 50 * 1024;
}

/// <summary>A manifest's problems, every one: answered as one 422 with an <c>errors</c> entry each.</summary>
internal sealed class ManifestInvalidException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>One application of a manifest, as read (names not yet resolved).</summary>
internal sealed class ManifestApplication(int index, string name)
{
    public int Index { get; } = index;

    public string Name { get; } = name;

    public ManifestProcess Web { get; set; } = new("web");

    public List<ManifestProcess> Processes { get; } = [];

    public List<string>? Buildpacks { get; set; }

    public string? Stack { get; set; }

    public string? DockerImage { get; set; }

    public JsonObject? Environment { get; set; }

    public List<string>? Routes { get; set; }

    public bool NoRoute { get; set; }

    public bool RandomRoute { get; set; }

    public bool DefaultRoute { get; set; }

    public GrainInterfaces.Metadata.MetadataPatch? Metadata { get; set; }
}

/// <summary>A process's settings in a manifest; null leaves a setting as it is.</summary>
internal sealed class ManifestProcess(string type)
{
    public string Type { get; } = type;

    public int? Memory { get; init; }

    public int? DiskQuota { get; init; }

    public int? Instances { get; init; }

    public int? Timeout { get; init; }

    public int? InvocationTimeout { get; init; }

    public string? Command { get; set; }

    public bool HasCommand { get; set; }

    public string? HealthCheckType { get; set; }

    public string? HealthCheckEndpoint { get; set; }
}

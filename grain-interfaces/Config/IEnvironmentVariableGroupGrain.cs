namespace CloudController.GrainInterfaces.Config;

/// <summary>
/// An environment variable group (key: <c>running</c> or <c>staging</c>): variables every app gets while running or
/// staging, set by admins.
/// </summary>
[Alias("CloudController.GrainInterfaces.Config.IEnvironmentVariableGroupGrain")]
public interface IEnvironmentVariableGroupGrain : IGrainWithStringKey
{
    /// <summary>The variables as a JSON object (<c>{}</c> when never set).</summary>
    [Alias("GetAsync"), Orleans.Concurrency.ReadOnly]
    Task<string> GetAsync();

    /// <summary>Replaces the variables with a JSON object; raises EnvironmentVariableGroupInvalid-like errors as InvalidRequest.</summary>
    [Alias("SetAsync")]
    Task<string> SetAsync(string variablesJson);
}

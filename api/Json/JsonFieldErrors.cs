using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Json;

/// <summary>How a body's field errors are reported: v2 as MessageParseError (400), v3 as UnprocessableEntity (422).</summary>
internal sealed class JsonFieldErrors(Func<string?, string, CloudControllerException> invalid, Func<string, CloudControllerException> missing)
{
    public static JsonFieldErrors V2 { get; } = new(
        (field, problem) => CloudControllerException.MessageParse(field is null ? problem : $"Field: {field}, Error: {problem}"),
        field => CloudControllerException.MessageParse($"Field: {field}, Error: Missing field {field}"));

    public static JsonFieldErrors V3 { get; } = new(
        (field, problem) => CloudControllerException.Unprocessable(field is null ? problem : $"{Capitalized(field)} {problem}"),
        field => CloudControllerException.Unprocessable($"{Capitalized(field)} can't be blank"));

    public CloudControllerException Invalid(string? field, string problem) => invalid(field, problem);

    public CloudControllerException Missing(string field) => missing(field);

    private static string Capitalized(string field) =>
        field.Length == 0 ? field : string.Concat(char.ToUpperInvariant(field[0]).ToString(), field.AsSpan(1).ToString().Replace('_', ' '));
}

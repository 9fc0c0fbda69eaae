using CloudController.Api.Http;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Errors;

/// <summary>An error ready for the wire: HTTP status, CF code and filled description.</summary>
internal sealed record CfErrorResult(int Status, CfErrorCode Code, string Description)
{
    private const string UnknownDescription = "An unknown error occurred.";

    public static CfErrorResult Unknown { get; } = new(500, CfErrorCode.UnknownError, UnknownDescription);

    /// <summary>Unknown errors are named <c>UnknownError</c> without the <c>CF-</c> prefix, as CF does.</summary>
    public string Name => Code == CfErrorCode.UnknownError ? "UnknownError" : $"CF-{Code}";

    /// <summary>The code on the wire: the enum's value, except for names that share another's code.</summary>
    public int Number => Code == CfErrorCode.ProcessNotFound ? (int)CfErrorCode.ResourceNotFound : (int)Code;

    /// <summary>v2: <c>{code, description, error_code}</c>; v3: <c>{"errors":[{code, title, detail}]}</c>.</summary>
    public object ToBody(ApiVersion version) => version == ApiVersion.V3
        ? new V3ErrorBody([new V3Error(Number, Name, Description)])
        : new V2ErrorBody(Number, Description, Name);
}

internal sealed record V2ErrorBody(int Code, string Description, string ErrorCode);

internal sealed record V3ErrorBody(IReadOnlyList<V3Error> Errors);

internal sealed record V3Error(int Code, string Title, string Detail);

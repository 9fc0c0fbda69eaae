using CloudController.Api.Uaa;
using CloudController.GrainInterfaces.Uaa;
using System.Security.Cryptography;
using System.Text;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Endpoints;

/// <summary>The UAA subset real clients use: <c>/login</c> info, <c>/oauth/token</c>, <c>/token_keys</c>. Errors use UAA's OAuth shape.</summary>
internal static class UaaEndpoints
{
    public static IEndpointRouteBuilder MapUaa(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/login", Login).RequireCf(CfAccess.Anonymous);
        routes.MapPost("/oauth/token", TokenAsync).RequireCf(CfAccess.Anonymous).DisableAntiforgery();
        routes.MapGet("/token_keys", TokenKeys).RequireCf(CfAccess.Anonymous);
        routes.MapGet("/token_key", TokenKey).RequireCf(CfAccess.Anonymous);
        return routes;
    }

    private static Ok<LoginInfo> Login(HttpContext http, BaseUrl baseUrl)
    {
        var url = baseUrl.Of(http);
        return TypedResults.Ok(new LoginInfo(
            new LoginApp("4.30.0"),
            new Dictionary<string, string> { ["uaa"] = url, ["login"] = url, ["passwd"] = "/forgot_password" },
            "uaa",
            new Dictionary<string, string[]> { ["username"] = ["text", "Email"], ["password"] = ["password", "Password"] }));
    }

    private static async Task<IResult> TokenAsync(HttpContext http, TokenService tokens, IOptions<UaaOptions> options, IGrainFactory grains, UaaDirectory directory)
    {
        if (!http.Request.HasFormContentType)
        {
            return OAuthError(400, "invalid_request", "Expected application/x-www-form-urlencoded");
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            // Over the form limits (value count, key or value length, body size): OAuth's error shape, as UAA answers.
            return OAuthError(400, "invalid_request", "The request form is malformed or too large");
        }

        var uaa = options.Value;
        var (clientId, secret) = ClientCredentials(http.Request, form);
        if (clientId is null || !uaa.Clients.TryGetValue(clientId, out var client) || !SecretsEqual(client.Secret, secret ?? ""))
        {
            return OAuthError(401, "unauthorized", "Bad credentials");
        }

        var grant = form["grant_type"].ToString();
        if (!client.GrantTypes.Contains(grant, StringComparer.Ordinal))
        {
            return grant is "password" or "client_credentials" or "refresh_token"
                ? OAuthError(400, "unauthorized_client", $"Unauthorized grant type: {grant}")
                : OAuthError(400, "unsupported_grant_type", $"Unsupported grant type: {grant}");
        }

        var userName = form["username"].ToString();
        var lockout = grant == "password" && userName.Length > 0 ? grains.GetGrain<ILoginLockoutGrain>(await directory.LockoutKeyAsync(userName)) : null;
        var policy = new LockoutPolicy(uaa.LockoutMaxFailures, uaa.LockoutWindow, uaa.LockoutDuration);
        if (lockout is not null && await lockout.IsLockedAsync())
        {
            return Locked();
        }

        TokenSubject? subject = grant switch
        {
            "password" => PasswordSubject(uaa, clientId, userName, form["password"].ToString())
                ?? await directory.PasswordSubjectAsync(clientId, userName, form["password"].ToString()),
            "refresh_token" => await tokens.ValidateRefreshTokenAsync(form["refresh_token"].ToString()) is { } refresh && refresh.ClientId == clientId
                ? await directory.RefreshSubjectAsync(refresh)
                : null,
            _ => new TokenSubject(null, clientId, grant, client.Authorities),
        };
        if (subject is null)
        {
            if (lockout is not null && await lockout.FailedAsync(policy))
            {
                return Locked();
            }

            return grant == "refresh_token"
                ? OAuthError(401, "invalid_token", "Invalid refresh token")
                : OAuthError(401, "unauthorized", "Bad credentials");
        }

        if (lockout is not null)
        {
            await lockout.SucceededAsync();
        }

        var issued = tokens.Issue(subject);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new TokenResponse(issued.AccessToken, "bearer", issued.RefreshToken, issued.ExpiresIn, issued.Scope, issued.Jti));
    }

    private static TokenSubject? PasswordSubject(UaaOptions uaa, string clientId, string userName, string password) =>
        uaa.Users.TryGetValue(userName, out var user) && SecretsEqual(user.Password, password) && userName.Length > 0
            ? new TokenSubject(userName, clientId, "password", user.Scopes)
            : null;

    private static (string? Id, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? (decoded, "") : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }

        var id = form["client_id"].ToString();
        return id.Length == 0 ? (null, null) : (id, form["client_secret"].ToString());
    }

    private static bool SecretsEqual(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));

    private static JsonHttpResult<OAuthErrorBody> Locked() =>
        OAuthError(401, "unauthorized", "Your account has been locked because of too many failed attempts to login.");

    private static JsonHttpResult<OAuthErrorBody> OAuthError(int status, string error, string description) =>
        TypedResults.Json(new OAuthErrorBody(error, description), statusCode: status);

    private static Ok<TokenKeySet> TokenKeys(SigningKeys keys) => TypedResults.Ok(new TokenKeySet([KeyOf(keys)]));

    private static Ok<TokenKeyBody> TokenKey(SigningKeys keys) => TypedResults.Ok(KeyOf(keys));

    /// <summary>The signing key's public half as UAA serves it: a JWK (built by Microsoft.IdentityModel) plus the PEM as <c>value</c>.</summary>
    private static TokenKeyBody KeyOf(SigningKeys keys)
    {
        var publicKey = new Microsoft.IdentityModel.Tokens.RsaSecurityKey(keys.Signer.ExportParameters(includePrivateParameters: false)) { KeyId = keys.SignerKid };
        var jwk = Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromRSASecurityKey(publicKey);
        return new TokenKeyBody(jwk.Kty, jwk.Kid, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256, Microsoft.IdentityModel.Tokens.JsonWebKeyUseNames.Sig,
            jwk.E, jwk.N, keys.Signer.ExportSubjectPublicKeyInfoPem());
    }
}

internal sealed record LoginApp(string Version);

internal sealed record LoginInfo(LoginApp App, Dictionary<string, string> Links, string ZoneName, Dictionary<string, string[]> Prompts);

internal sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
    int ExpiresIn, string Scope, string Jti);

internal sealed record OAuthErrorBody(string Error, string ErrorDescription);

internal sealed record TokenKeyBody(string Kty, string Kid, string Alg, string Use, string E, string N, string Value);

internal sealed record TokenKeySet(IReadOnlyList<TokenKeyBody> Keys);

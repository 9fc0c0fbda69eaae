using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CloudController.Api.Auth;

/// <summary>
/// Issues and verifies UAA-style JWTs with Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>: RS256 only
/// (<c>alg: none</c> and HMAC tokens are refused, so nobody can choose the algorithm), signed by a trusted key, the
/// configured issuer, audience <c>cloud_controller</c>, <c>exp</c> required and <c>nbf</c> honoured, both with
/// <see cref="ClockSkew"/> of slack. Refresh tokens are marked and are never accepted as bearer tokens.
/// </summary>
internal sealed class TokenService(SigningKeys keys, IOptions<UaaOptions> options, TimeProvider clock)
{
    /// <summary>Slack for clocks that disagree a little between this issuer, other UAAs and this server.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The longest token accepted.</summary>
    public const int MaxTokenBytes = 16 * 1024;

    private const string RefreshMarker = "refresh";

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenBytes, SetDefaultTimesOnTokenCreation = false };

    private UaaOptions Uaa => options.Value;

    public IssuedToken Issue(TokenSubject subject)
    {
        var now = clock.GetUtcNow();
        var jti = Guid.NewGuid().ToString("N");
        var access = Sign(Claims(subject, jti, now, Uaa.AccessTokenLifetime, null));
        string? refresh = null;
        if (subject.UserName is not null)
        {
            refresh = Sign(Claims(subject, jti + "-r", now, Uaa.RefreshTokenLifetime, RefreshMarker));
        }

        return new IssuedToken(access, refresh, (int)Uaa.AccessTokenLifetime.TotalSeconds, string.Join(' ', subject.Scopes), jti);
    }

    /// <summary>The user (by id), client and token generation of a valid refresh token, or null.</summary>
    public async ValueTask<RefreshClaims?> ValidateRefreshTokenAsync(string token)
    {
        var payload = await VerifyAsync(token);
        try
        {
            return payload?["token_use"]?.GetValue<string>() == RefreshMarker
                && payload["user_id"]?.GetValue<string>() is { } user
                && payload["client_id"]?.GetValue<string>() is { } client
                ? new RefreshClaims(user, client, payload["gen"]?.GetValue<int>() ?? 0)
                : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The caller an access token names (its expiry in <paramref name="expires"/>), or null for a refresh token or unexpected claims.</summary>
    public static CfUser? ReadAccessToken(JsonWebToken jwt, out DateTimeOffset expires)
    {
        expires = DateTimeOffset.MinValue;
        try
        {
            return JsonNode.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)) is JsonObject payload ? ReadAccessToken(payload, out expires) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private static CfUser? ReadAccessToken(JsonObject payload, out DateTimeOffset expires)
    {
        expires = DateTimeOffset.MinValue;
        try
        {
            if (payload["token_use"]?.GetValue<string>() == RefreshMarker)
            {
                return null;
            }

            var scopes = payload["scope"] is JsonArray scope
                ? scope.Select(s => s?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal)
                : [];
            var clientId = payload["client_id"]?.GetValue<string>() ?? "";
            var userId = payload["user_id"]?.GetValue<string>() ?? clientId;
            expires = payload["exp"] is JsonValue exp && exp.TryGetValue<long>(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MinValue;
            return new CfUser(userId, payload["user_name"]?.GetValue<string>(), clientId, scopes);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            // A correctly signed token whose claims have unexpected types (a number for scope, an object for a name).
            return null;
        }
    }

    /// <summary>
    /// What a valid token is, for this service's own checks and for the JWT bearer scheme: RS256 from a trusted key, the
    /// configured issuer, the <c>cloud_controller</c> audience, <c>exp</c> required and <c>nbf</c> honoured, both with
    /// <see cref="ClockSkew"/> of slack, on the injectable clock (the handler's own would be the system's).
    /// </summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Uaa.Issuer,
        ValidAudience = Scopes.Audience,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        IssuerSigningKeys = keys.ValidationKeys,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = ClockSkew,
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = clock.GetUtcNow();
            return expires is { } exp && new DateTimeOffset(exp, TimeSpan.Zero) > now - ClockSkew
                && (notBefore is not { } nbf || new DateTimeOffset(nbf, TimeSpan.Zero) <= now + ClockSkew);
        },
    };

    /// <summary>The payload of a token the handler accepts (signature, algorithm, issuer, audience, lifetime), or null.</summary>
    private async ValueTask<JsonObject?> VerifyAsync(string token)
    {
        if (token.Length > MaxTokenBytes)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, ValidationParameters());
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A stable user id for a user name (UAA ids are guids).</summary>
    public static string UserIdOf(string userName) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("cc-user:" + userName)).AsSpan(0, 16)).ToString("D");

    private JsonObject Claims(TokenSubject subject, string jti, DateTimeOffset now, TimeSpan lifetime, string? use)
    {
        var claims = new JsonObject
        {
            ["jti"] = jti,
            ["sub"] = subject.UserName is null ? subject.ClientId : subject.UserId ?? UserIdOf(subject.UserName),
            ["scope"] = new JsonArray(subject.Scopes.Select(s => (JsonNode)s!).ToArray()),
            ["client_id"] = subject.ClientId,
            ["cid"] = subject.ClientId,
            ["azp"] = subject.ClientId,
            ["grant_type"] = subject.GrantType,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["iss"] = Uaa.Issuer,
            ["zid"] = "uaa",
            ["aud"] = new JsonArray(Audiences(subject.Scopes).Select(a => (JsonNode)a!).ToArray()),
        };
        if (subject.UserName is not null)
        {
            claims["user_id"] = subject.UserId ?? UserIdOf(subject.UserName);
            claims["user_name"] = subject.UserName;
            claims["email"] = subject.UserName.Contains('@', StringComparison.Ordinal) ? subject.UserName : subject.UserName + "@localhost";
            claims["origin"] = subject.Origin;
            claims["auth_time"] = now.ToUnixTimeSeconds();
        }

        if (use is not null)
        {
            claims["token_use"] = use;
            claims["gen"] = subject.Generation;
        }

        return claims;
    }

    private static IEnumerable<string> Audiences(IEnumerable<string> scopes) =>
        scopes.Select(s => s.Split('.')[0]).Append(Scopes.Audience).Distinct(StringComparer.Ordinal);

    private string Sign(JsonObject claims) =>
        _handler.CreateToken(claims.ToJsonString(), keys.SigningCredentials);
}

/// <summary>Who a token is for: a user (password grant) or a client alone (client_credentials).</summary>
internal sealed record TokenSubject(string? UserName, string ClientId, string GrantType, IReadOnlyList<string> Scopes)
{
    /// <summary>The user's id: a UAA user's own; for a user from configuration, one derived from the name.</summary>
    public string? UserId { get; init; }

    public string Origin { get; init; } = "uaa";

    /// <summary>The user's token generation: a refresh token issued under an older one (before a password change) is refused.</summary>
    public int Generation { get; init; }
}

/// <summary>What a refresh token names: the user by id (never by name, which a later user may take), the client, the generation.</summary>
internal sealed record RefreshClaims(string UserId, string ClientId, int Generation);

internal sealed record IssuedToken(string AccessToken, string? RefreshToken, int ExpiresIn, string Scope, string Jti);

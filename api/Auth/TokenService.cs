using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Auth;

/// <summary>
/// Issues and verifies UAA-style JWTs (RS256 only: <c>alg: none</c> and HMAC tokens are refused, so nobody can
/// choose the algorithm). Access tokens carry <c>aud: cloud_controller</c>; refresh tokens are marked and are
/// never accepted as bearer tokens.
/// </summary>
internal sealed class TokenService(SigningKeys keys, IOptions<UaaOptions> options, TimeProvider clock)
{
    private const string RefreshMarker = "refresh";
    private const int MaxCachedTokens = 10_000;

    // Verified access tokens (the exact token string) → who they name, until they expire: an RS256 check costs
    // more than serving a read, and clients send the same token for many requests. Only valid tokens are kept.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (CfUser User, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

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

    /// <summary>The user a bearer token names, or null when the token is not valid here (any reason).</summary>
    public CfUser? ValidateAccessToken(string token)
    {
        var now = clock.GetUtcNow();
        if (_verified.TryGetValue(token, out var cached))
        {
            if (cached.Until > now)
            {
                return cached.User;
            }

            _verified.TryRemove(token, out _);
        }

        var user = VerifyAccessToken(token, out var expires);
        if (user is not null)
        {
            if (_verified.Count >= MaxCachedTokens)
            {
                _verified.Clear();
            }

            _verified[token] = (user, expires < now + CacheFor ? expires : now + CacheFor);
        }

        return user;
    }

    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    private CfUser? VerifyAccessToken(string token, out DateTimeOffset expires)
    {
        expires = DateTimeOffset.MinValue;
        try
        {
            return ReadAccessToken(Verify(token), out expires);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            // A correctly signed token whose claims have unexpected types (a number for scope, an object for a name).
            return null;
        }
    }

    private static CfUser? ReadAccessToken(JsonObject? payload, out DateTimeOffset expires)
    {
        expires = DateTimeOffset.MinValue;
        if (payload is null || payload["token_use"]?.GetValue<string>() == RefreshMarker)
        {
            return null;
        }

        var audiences = payload["aud"] is JsonArray aud ? aud.Select(a => a?.GetValue<string>()).ToList() : [];
        if (!audiences.Contains(Scopes.Audience))
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

    /// <summary>The user name and client of a valid refresh token, or null.</summary>
    public (string UserName, string ClientId)? ValidateRefreshToken(string token)
    {
        var payload = Verify(token);
        try
        {
            return payload?["token_use"]?.GetValue<string>() == RefreshMarker
                && payload["user_name"]?.GetValue<string>() is { } user
                && payload["client_id"]?.GetValue<string>() is { } client
                ? (user, client)
                : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
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
        }

        return claims;
    }

    private static IEnumerable<string> Audiences(IEnumerable<string> scopes) =>
        scopes.Select(s => s.Split('.')[0]).Append(Scopes.Audience).Distinct(StringComparer.Ordinal);

    private string Sign(JsonObject claims)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = keys.SignerKid, ["typ"] = "JWT" };
        var signingInput = $"{Encode(header)}.{Encode(claims)}";
        var signature = keys.Signer.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private JsonObject? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || token.Length > 16 * 1024)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != "RS256")
            {
                return null;
            }

            var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            var signature = Base64Url.DecodeFromChars(parts[2]);
            var kid = header["kid"]?.GetValue<string>();
            if (!keys.Candidates(kid).Any(k => k.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)))
            {
                return null;
            }

            var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) as JsonObject;
            var expires = payload?["exp"]?.GetValue<long>();
            var issuer = payload?["iss"]?.GetValue<string>();
            return expires is { } exp && exp > clock.GetUtcNow().ToUnixTimeSeconds() && issuer == Uaa.Issuer ? payload : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>Who a token is for: a user (password grant) or a client alone (client_credentials).</summary>
internal sealed record TokenSubject(string? UserName, string ClientId, string GrantType, IReadOnlyList<string> Scopes)
{
    /// <summary>The user's id: a UAA user's own; for a user from configuration, one derived from the name.</summary>
    public string? UserId { get; init; }

    public string Origin { get; init; } = "uaa";
}

internal sealed record IssuedToken(string AccessToken, string? RefreshToken, int ExpiresIn, string Scope, string Jti);

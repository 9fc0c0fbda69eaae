using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CloudController.Api.Auth;

/// <summary>
/// Bearer tokens through ASP.NET Core's JWT bearer authentication: <see cref="TokenService.ValidationParameters"/>
/// decides validity (RS256 from a trusted key, issuer, audience, lifetime on the injectable clock), and a validated
/// token names its <see cref="CfUser"/>, set on the request for the authorization handler, the routes and the audit
/// events. A refresh token is never a bearer token. Validated tokens are remembered in a size-bounded cache for at
/// most 5 minutes (never past their expiry), because an RS256 check costs more than serving a read and clients send
/// the same token for many requests; only valid tokens are kept.
/// </summary>
internal sealed class CfBearerEvents(TimeProvider clock) : JwtBearerEvents, IDisposable
{
    private const int MaxCachedTokens = 10_000;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _validated = CacheClock.Create(clock, MaxCachedTokens);

    public void Dispose() => _validated.Dispose();

    public override Task MessageReceived(MessageReceivedContext context)
    {
        var token = BearerToken(context.Request);
        if (token is not null && _validated.TryGetValue(token, out Validated? known) && known is not null)
        {
            context.Principal = known.Principal;
            Authenticated(context.HttpContext, known.User);
            context.Success();
        }

        return Task.CompletedTask;
    }

    public override Task TokenValidated(TokenValidatedContext context)
    {
        if (context.SecurityToken is not JsonWebToken jwt || TokenService.ReadAccessToken(jwt, out var expires) is not { } user)
        {
            context.Fail("not an access token");
            return Task.CompletedTask;
        }

        Authenticated(context.HttpContext, user);
        if (context.Principal is { } principal)
        {
            var token = jwt.EncodedToken;
            var left = expires - clock.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                _validated.Set(token, new Validated(principal, user), new MemoryCacheEntryOptions
                {
                    Size = 1,
                    AbsoluteExpirationRelativeToNow = left < CacheFor ? left : CacheFor,
                });
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The caller for the rest of the request; every grain call of the request carries it, for the audit events.</summary>
    private static void Authenticated(HttpContext http, CfUser user)
    {
        http.Features.Set(user);
        http.Carry();
    }

    /// <summary>The token of an <c>Authorization: bearer …</c> header (any case, as the cf CLI and UAA accept), or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length ? header[prefix.Length..].Trim() : null;
    }

    private sealed record Validated(System.Security.Claims.ClaimsPrincipal Principal, CfUser User);
}

/// <summary>Configures the JWT bearer scheme from the UAA settings (no metadata endpoint: the keys are this server's own).</summary>
internal sealed class ConfigureCfBearer(TokenService tokens, CfBearerEvents events) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        options.MapInboundClaims = false;
        options.RequireHttpsMetadata = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new JsonWebTokenHandler { MaximumTokenSizeInBytes = TokenService.MaxTokenBytes });
        options.TokenValidationParameters = tokens.ValidationParameters();
        options.Events = events;
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
}

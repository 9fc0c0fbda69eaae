namespace CloudController.Api.Auth;

/// <summary>The built-in UAA-compatible token issuer and what tokens it trusts (configuration section <c>Uaa</c>).</summary>
internal sealed class UaaOptions
{
    /// <summary>The <c>iss</c> claim written and required.</summary>
    public string Issuer { get; set; } = "cloud-controller-uaa";

    /// <summary>PEM RSA private key used to sign tokens. Wins over <see cref="SigningKeyPath"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>File holding the PEM signing key; created (once, shared by every api instance) when missing.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>PEM public keys of an external UAA whose tokens are also accepted.</summary>
    public List<string> TrustedKeys { get; set; } = [];

    /// <summary>External UAA base URL advertised by <c>/v2/info</c>; empty = this api's own issuer.</summary>
    public string? Url { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>UAA's password lockout: failures within the window that lock a user name, and for how long.</summary>
    public int LockoutMaxFailures { get; set; } = 5;

    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Users by name (password grant).</summary>
    public Dictionary<string, UaaUser> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>OAuth clients by id (the cf CLI is client <c>cf</c> with an empty secret).</summary>
    public Dictionary<string, UaaClient> Clients { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class UaaUser
{
    public string Password { get; set; } = "";

    public List<string> Scopes { get; set; } = [];
}

internal sealed class UaaClient
{
    public string Secret { get; set; } = "";

    public List<string> GrantTypes { get; set; } = [];

    /// <summary>Scopes of tokens from the client_credentials grant.</summary>
    public List<string> Authorities { get; set; } = [];
}

using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

[Collection(ApiTier4.Name)]
public sealed class AuthTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task PasswordGrantAsTheCfCliSendsItReturnsAUaaToken()
    {
        using var http = fixture.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["username"] = "admin", ["password"] = "admin", ["scope"] = "",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "Y2Y6");
        request.Headers.Accept.ParseAdd("application/json");

        var json = await (await http.SendAsync(request)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.True(json.GetProperty("expires_in").GetInt32() > 0);
        Assert.Contains("cloud_controller.admin", json.GetProperty("scope").GetString()!.Split(' '));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("refresh_token").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("jti").GetString()));
        var claims = Claims(json.GetProperty("access_token").GetString()!);
        Assert.Equal("admin", claims["user_name"]!.GetValue<string>());
        Assert.Contains("cloud_controller", claims["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task AWrongPasswordIsAUaaUnauthorizedError()
    {
        using var http = fixture.Anonymous();

        var response = await Grant(http, "Y2Y6", ("grant_type", "password"), ("username", "admin"), ("password", "nope"));

        var json = await response.JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("unauthorized", json.GetProperty("error").GetString());
        Assert.Equal("Bad credentials", json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task AnUnknownClientIsRejected()
    {
        using var http = fixture.Anonymous();

        var response = await Grant(http, Convert.ToBase64String(Encoding.UTF8.GetBytes("evil:")), ("grant_type", "password"), ("username", "admin"), ("password", "admin"));

        Assert.Equal("unauthorized", (await response.JsonAsync(HttpStatusCode.Unauthorized)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task AGrantTheClientMayNotUseIsRejected()
    {
        using var http = fixture.Anonymous();

        var response = await Grant(http, "Y2Y6", ("grant_type", "client_credentials"));

        Assert.Equal("unauthorized_client", (await response.JsonAsync(HttpStatusCode.BadRequest)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task ARefreshTokenBuysANewAccessTokenButIsNoBearerToken()
    {
        using var http = fixture.Anonymous();
        var first = await (await Grant(http, "Y2Y6", ("grant_type", "password"), ("username", "writer"), ("password", "writer-pw"))).JsonAsync(HttpStatusCode.OK);
        var refresh = first.GetProperty("refresh_token").GetString()!;

        var second = await (await Grant(http, "Y2Y6", ("grant_type", "refresh_token"), ("refresh_token", refresh))).JsonAsync(HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", refresh);
        var asBearer = await http.GetAsync("/v2/organizations");

        Assert.Contains("cloud_controller.write", second.GetProperty("scope").GetString()!.Split(' '));
        await asBearer.V2ErrorAsync(HttpStatusCode.Unauthorized, 1000, "CF-InvalidAuthToken");
    }

    [Fact]
    public async Task NoTokenIsNotAuthenticatedInBothEnvelopes()
    {
        using var http = fixture.Anonymous();

        await (await http.GetAsync("/v2/organizations")).V2ErrorAsync(HttpStatusCode.Unauthorized, 10002, "CF-NotAuthenticated");
        await (await http.GetAsync("/v3/organizations")).V3ErrorAsync(HttpStatusCode.Unauthorized, 10002, "CF-NotAuthenticated");
    }

    [Fact]
    public async Task ANonBearerAuthorizationHeaderIsNotAuthenticated()
    {
        using var http = fixture.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4=");

        await (await http.GetAsync("/v2/organizations")).V2ErrorAsync(HttpStatusCode.Unauthorized, 10002, "CF-NotAuthenticated");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("expired")]
    [InlineData("wrong-signature")]
    [InlineData("alg-none")]
    [InlineData("hs256-with-public-key")]
    [InlineData("wrong-audience")]
    [InlineData("wrong-issuer")]
    [InlineData("not-yet-valid")]
    [InlineData("no-expiry")]
    [InlineData("refresh-token")]
    public async Task ATokenThatDoesNotVerifyIsInvalid(string kind)
    {
        using var http = fixture.Anonymous();
        var valid = await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin");
        var realKey = fixture.Api.Services.GetRequiredService<SigningKeys>().Signer;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", Forge(kind, valid, realKey));

        await (await http.GetAsync("/v2/organizations")).V2ErrorAsync(HttpStatusCode.Unauthorized, 1000, "CF-InvalidAuthToken");
        await (await http.GetAsync("/v3/organizations")).V3ErrorAsync(HttpStatusCode.Unauthorized, 1000, "CF-InvalidAuthToken");
    }

    /// <summary>Clocks disagree a little: <c>nbf</c> and <c>exp</c> get 30 s of slack, no more (see the invalid cases).</summary>
    [Theory]
    [InlineData("slightly-early")]
    [InlineData("just-expired")]
    public async Task ClockSkewWithinHalfAMinuteIsTolerated(string kind)
    {
        using var http = fixture.Anonymous();
        var valid = await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin");
        var realKey = fixture.Api.Services.GetRequiredService<SigningKeys>().Signer;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", Forge(kind, valid, realKey));

        await (await http.GetAsync("/v2/organizations")).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AClaimsForgeryHelperSignedWithTheRealKeyIsOtherwiseValid()
    {
        using var http = fixture.Anonymous();
        var valid = await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin");
        var realKey = fixture.Api.Services.GetRequiredService<SigningKeys>().Signer;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", SignWith(realKey, Claims(valid), valid.Split('.')[0]));

        await (await http.GetAsync("/v2/organizations")).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheBearerPrefixIsCaseInsensitive()
    {
        using var http = fixture.Anonymous();
        var token = await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin");
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"BEARER {token}");

        await (await http.GetAsync("/v2/organizations")).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ATokenWithoutCloudControllerScopesIsInsufficientScopeInV2AndNotAuthorizedInV3()
    {
        using var http = await fixture.As("nobody");

        await (await http.GetAsync("/v2/organizations")).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
        await (await http.GetAsync("/v3/spaces")).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
    }

    [Fact]
    public async Task ReadScopeReadsButCannotWrite()
    {
        using var reader = await fixture.As("reader");
        using var admin = await fixture.Admin();
        var org = await CreateOrgAsync(admin);

        await (await reader.GetAsync($"/v2/organizations/{org}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/auditors", new { username = "reader" })).JsonAsync(HttpStatusCode.Created);
        await (await reader.GetAsync($"/v2/organizations/{org}")).JsonAsync(HttpStatusCode.OK);
        await (await reader.PostJsonAsync("/v2/buildpacks", new { name = "x" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
        await (await reader.DeleteAsync($"/v2/organizations/{org}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
    }

    [Fact]
    public async Task AdminReadOnlyReadsEverythingAndWritesNothing()
    {
        using var auditor = await fixture.As("auditor");

        await (await auditor.GetAsync("/v2/organizations")).JsonAsync(HttpStatusCode.OK);
        await (await auditor.PostJsonAsync("/v2/organizations", new { name = "nope" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
    }

    [Fact]
    public async Task WriteScopeWithoutAdminCannotCreateOrganizations()
    {
        using var writer = await fixture.As("writer");

        await (await writer.PostJsonAsync("/v2/organizations", new { name = $"w-{Guid.NewGuid():N}" }))
            .V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
    }

    [Fact]
    public async Task TokenKeysPublishTheKeyThatVerifiesIssuedTokens()
    {
        using var http = fixture.Anonymous();
        var token = await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin");

        var key = (await (await http.GetAsync("/token_keys")).JsonAsync(HttpStatusCode.OK)).GetProperty("keys")[0];

        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key.GetProperty("value").GetString());
        var parts = token.Split('.');
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.DoesNotContain("PRIVATE", key.GetProperty("value").GetString(), StringComparison.Ordinal);

        // The JWK itself (n, e, kid) verifies the token too, as a client that reads only the JWK checks it.
        using var fromJwk = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
        });
        Assert.True(fromJwk.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var header = System.Text.Json.JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        Assert.Equal(key.GetProperty("kid").GetString(), header.GetProperty("kid").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
    }

    [Fact]
    public async Task ClientCredentialsGiveTheClientsAuthoritiesAndNoRefreshToken()
    {
        using var http = fixture.Anonymous();
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("pipeline:pipeline-secret"));

        var json = await (await Grant(http, basic, ("grant_type", "client_credentials"))).JsonAsync(HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", json.GetProperty("access_token").GetString());

        Assert.Equal("cloud_controller.read", json.GetProperty("scope").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _));
        await (await http.GetAsync("/v2/organizations")).JsonAsync(HttpStatusCode.OK);
        await (await http.PostJsonAsync("/v2/buildpacks", new { name = "x" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
        var wrongSecret = Convert.ToBase64String(Encoding.UTF8.GetBytes("pipeline:nope"));
        await (await Grant(http, wrongSecret, ("grant_type", "client_credentials"))).JsonAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenKeyAndHealthzAreAnonymous()
    {
        using var http = fixture.Anonymous();

        var key = await (await http.GetAsync("/token_key")).JsonAsync(HttpStatusCode.OK);
        var health = await http.GetAsync("/healthz");

        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());
    }

    internal static async Task<string> CreateOrgAsync(HttpClient admin, string? name = null)
    {
        var json = await (await admin.PostJsonAsync("/v2/organizations", new { name = name ?? $"org-{Guid.NewGuid():N}" })).JsonAsync(HttpStatusCode.Created);
        return json.GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    private static Task<HttpResponseMessage> Grant(HttpClient http, string basic, params (string Key, string Value)[] form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Key, f.Value))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        return http.SendAsync(request);
    }

    private static JsonObject Claims(string token) => (JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!;

    /// <summary>Bad tokens of every kind, built from a valid one.</summary>
    private static string Forge(string kind, string valid, RSA realKey)
    {
        var parts = valid.Split('.');
        var claims = Claims(valid);
        using var other = RSA.Create(2048);
        return kind switch
        {
            "garbage" => "garbage",
            "a.b.c" => "a.b.c",
            "expired" => SignWith(realKey, Modify(claims, c => c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()), parts[0]),
            "wrong-signature" => SignWith(other, claims, parts[0]),
            "alg-none" => $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{parts[1]}.",
            "hs256-with-public-key" => Hs256(claims),
            "wrong-audience" => SignWith(realKey, Modify(claims, c => c["aud"] = new JsonArray("openid")), parts[0]),
            "wrong-issuer" => SignWith(realKey, Modify(claims, c => c["iss"] = "someone-else"), parts[0]),
            "not-yet-valid" => SignWith(realKey, Modify(claims, c => c["nbf"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()), parts[0]),
            "no-expiry" => SignWith(realKey, Modify(claims, c => c.Remove("exp")), parts[0]),
            "refresh-token" => SignWith(realKey, Modify(claims, c => c["token_use"] = "refresh"), parts[0]),
            "slightly-early" => SignWith(realKey, Modify(claims, c => c["nbf"] = DateTimeOffset.UtcNow.AddSeconds(10).ToUnixTimeSeconds()), parts[0]),
            "just-expired" => SignWith(realKey, Modify(claims, c => c["exp"] = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds()), parts[0]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static JsonObject Modify(JsonObject claims, Action<JsonObject> change)
    {
        var copy = (JsonObject)claims.DeepClone();
        change(copy);
        return copy;
    }

    // Claims-level forgeries are signed with the api's real key, so only the claim under test is wrong.
    private static string SignWith(RSA key, JsonObject claims, string header)
    {
        var input = $"{header}.{Encode(claims)}";
        return $"{input}.{Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }

    private static string Hs256(JsonObject claims)
    {
        var input = $"{Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" })}.{Encode(claims)}";
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes("any-public-material"), Encoding.ASCII.GetBytes(input));
        return $"{input}.{Base64Url.EncodeToString(mac)}";
    }

    private static string Encode(JsonNode json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

}

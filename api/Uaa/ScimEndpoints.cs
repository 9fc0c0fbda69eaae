using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Paging;
using CloudController.Api.Auth;
using CloudController.Api.Endpoints;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Uaa;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Uaa;

/// <summary>
/// UAA's SCIM users, the subset the cf CLI and client libraries use: <c>POST /Users</c> (scim.write),
/// <c>GET /Users?filter=userName eq "x"&amp;attributes=id,userName</c>, <c>GET /Users/:id</c> (scim.read) and
/// <c>DELETE /Users/:id</c> (scim.write). Errors use UAA's <c>{"error","error_description"}</c> shape.
/// </summary>
internal static class ScimEndpoints
{
    private const int MaxLength = 255;
    private const int MaxBody = 64 * 1024;
    private const int MaxListed = 500;

    public static IEndpointRouteBuilder MapScim(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/Users", CreateAsync).RequireCf(CfAccess.ScimWrite);
        routes.MapGet("/Users", ListAsync).RequireCf(CfAccess.ScimRead);
        routes.MapGet("/Users/{id}", GetAsync).RequireCf(CfAccess.ScimRead);
        routes.MapDelete("/Users/{id}", DeleteAsync).RequireCf(CfAccess.ScimWrite);
        routes.MapPut("/Users/{id}/password", ChangePasswordAsync).RequireCf(CfAccess.UaaSelf);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, IOptions<UaaOptions> options)
    {
        if (http.Request.ContentLength > MaxBody)
        {
            return Error(413, "invalid_scim_resource", "The request body is too large");
        }

        // A body without a length (chunked) is cut off at the same size by the server.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBody;
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error(400, "invalid_scim_resource", "The request body is not valid JSON");
        }
        catch (BadHttpRequestException)
        {
            return Error(413, "invalid_scim_resource", "The request body is too large");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Error(400, "invalid_scim_resource", "A user must be a JSON object");
        }

        var userName = Text(body, "userName")?.Trim();
        var password = Text(body, "password");
        if (string.IsNullOrEmpty(userName) || userName.Length > MaxLength)
        {
            return Error(400, "invalid_scim_resource", "A username must be provided and at most 255 characters long.");
        }

        if (string.IsNullOrEmpty(password) || password.Length > MaxLength)
        {
            return Error(400, "invalid_password", "Password must be between 1 and 255 characters long.");
        }

        var origin = Text(body, "origin") is { Length: > 0 and <= MaxLength } o ? o : "uaa";
        var name = body.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.Object ? n : default;
        var emails = body.TryGetProperty("emails", out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(x => Text(x, "value")).OfType<string>().Where(v => v.Length is > 0 and <= MaxLength).Take(10).ToImmutableArray()
            : [];
        if (options.Value.Users.ContainsKey(userName))
        {
            return Taken(userName);
        }

        var command = new CreateUaaUser(userName, UaaDirectory.Hash(userName, password), origin,
            name.ValueKind == JsonValueKind.Object ? Text(name, "givenName") : null,
            name.ValueKind == JsonValueKind.Object ? Text(name, "familyName") : null,
            emails.IsEmpty ? [userName] : emails,
            [.. UaaDirectory.DefaultScopes]);
        var user = await grains.GetGrain<IUaaUserGrain>(Guid.NewGuid()).CreateAsync(command);
        return user is null ? Taken(userName) : Results.Json(Render(user, null), statusCode: 201);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains, UaaDirectory directory)
    {
        var attributes = http.Request.Query["attributes"].ToString() is { Length: > 0 } a
            ? a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : null;
        var filterText = http.Request.Query["filter"].ToString();
        List<UaaUserSnapshot> users;
        if (filterText.Length == 0)
        {
            users = [.. (await grains.Lists().UaaUsersAsync(ListFilter.None, ListWindow.All with { PerPage = MaxListed })).Items];
        }
        else
        {
            ScimFilter filter;
            try
            {
                filter = ScimFilter.Parse(filterText);
            }
            catch (FormatException e)
            {
                return Error(400, "invalid_filter", $"Invalid filter expression: [{(filterText.Length > 200 ? filterText[..200] + "..." : filterText)}]: {e.Message}");
            }

            IEnumerable<UaaUserSnapshot> candidates;
            if (filter.Pins() is { } pins)
            {
                var byName = await Task.WhenAll(pins.Names.Select(directory.FindByNameAsync));
                var byId = await Task.WhenAll(pins.Ids.Select(async id =>
                    Guid.TryParse(id, out var guid) ? await grains.GetGrain<IUaaUserGrain>(guid).FindAsync() : null));
                candidates = byName.OfType<UaaCredentials>().Select(c => c.User).Concat(byId.OfType<UaaUserSnapshot>()).DistinctBy(u => u.Id);
            }
            else
            {
                candidates = (await grains.Lists().UaaUsersAsync(ListFilter.None, ListWindow.All with { PerPage = MaxListed })).Items;
            }

            users = [.. candidates.Where(filter.Matches)];
        }

        var resources = new JsonArray([.. users.Select(u => (JsonNode)Render(u, attributes))]);
        return Results.Json(new JsonObject
        {
            ["resources"] = resources,
            ["startIndex"] = 1,
            ["itemsPerPage"] = Math.Max(users.Count, 100),
            ["totalResults"] = users.Count,
            ["schemas"] = new JsonArray("urn:scim:schemas:core:1.0"),
        });
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains) =>
        RouteGuid.TryParse(id, out var guid) && await grains.GetGrain<IUaaUserGrain>(guid).FindAsync() is { } user
            ? Results.Json(Render(user, null))
            : NotFound(id);

    private static async Task<IResult> DeleteAsync(string id, IGrainFactory grains) =>
        RouteGuid.TryParse(id, out var guid) && await grains.GetGrain<IUaaUserGrain>(guid).DeleteAsync() is { } user
            ? Results.Json(Render(user, null))
            : NotFound(id);

    /// <summary>
    /// UAA's password change (<c>cf passwd</c>): a user sets its own with its current password (<c>oldPassword</c>); an
    /// admin (scim.write or uaa.admin) sets anyone's. Every refresh token issued before stops working.
    /// </summary>
    private static async Task<IResult> ChangePasswordAsync(string id, HttpContext http, IGrainFactory grains, UaaDirectory directory)
    {
        var caller = http.CfUser()!;
        JsonElement body;
        try
        {
            body = await Json.JsonBody.ReadAsync(http.Request);
        }
        catch (GrainInterfaces.Errors.CloudControllerException)
        {
            return Error(400, "invalid_password", "The request body must be a JSON object with password and oldPassword");
        }

        var password = Text(body, "password");
        if (!RouteGuid.TryParse(id, out var guid) || await grains.GetGrain<IUaaUserGrain>(guid).CredentialsAsync() is not { } credentials)
        {
            return NotFound(id);
        }

        var admin = caller.Scopes.Contains(Scopes.ScimWrite) || caller.Scopes.Contains(Scopes.UaaAdmin);
        if (!admin && caller.UserId != guid.ToString("D"))
        {
            return Error(403, "access_denied", "Not permitted to change another user's password");
        }

        if (string.IsNullOrEmpty(password) || password.Length > 255)
        {
            return Error(422, "invalid_password", "Password must be between 1 and 255 characters");
        }

        if (!admin && (Text(body, "oldPassword") is not { } old || !UaaDirectory.Verifies(credentials, old)))
        {
            return Error(401, "unauthorized", "Old password is incorrect");
        }

        await directory.ChangePasswordAsync(guid, credentials.User.UserName, password);
        return Results.Json(new JsonObject { ["status"] = "ok", ["message"] = "password updated" });
    }

    private static JsonObject Render(UaaUserSnapshot user, HashSet<string>? attributes)
    {
        var created = user.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var modified = user.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var json = new JsonObject
        {
            ["id"] = user.Id.ToString("D"),
            ["externalId"] = user.UserName,
            ["meta"] = new JsonObject { ["version"] = 0, ["created"] = created, ["lastModified"] = modified },
            ["userName"] = user.UserName,
            ["name"] = new JsonObject { ["familyName"] = user.FamilyName, ["givenName"] = user.GivenName },
            ["emails"] = new JsonArray([.. user.Emails.Select((v, i) => (JsonNode)new JsonObject { ["value"] = v, ["primary"] = i == 0 })]),
            ["groups"] = new JsonArray([.. user.Scopes.Select(s => (JsonNode)new JsonObject { ["value"] = s, ["display"] = s, ["type"] = "DIRECT" })]),
            ["approvals"] = new JsonArray(),
            ["active"] = true,
            ["verified"] = true,
            ["origin"] = user.Origin,
            ["zoneId"] = "uaa",
            ["passwordLastModified"] = created,
            ["schemas"] = new JsonArray("urn:scim:schemas:core:1.0"),
        };
        if (attributes is not null)
        {
            foreach (var key in json.Select(p => p.Key).Where(k => !attributes.Contains(k)).ToList())
            {
                json.Remove(key);
            }
        }

        return json;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static IResult Taken(string userName) =>
        Error(409, "scim_resource_already_exists", $"Username already in use: {userName}");

    private static IResult NotFound(string id) => Error(404, "scim_resource_not_found", $"User {id} does not exist");

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description, ["message"] = description }, statusCode: status);
}

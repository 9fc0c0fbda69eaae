namespace CloudController.Api.Auth;

/// <summary>Cloud Controller scopes (lib/cloud_controller/roles.rb).</summary>
internal static class Scopes
{
    public const string Admin = "cloud_controller.admin";
    public const string Read = "cloud_controller.read";
    public const string Write = "cloud_controller.write";
    public const string AdminReadOnly = "cloud_controller.admin_read_only";
    public const string GlobalAuditor = "cloud_controller.global_auditor";
    public const string Audience = "cloud_controller";
    public const string ScimRead = "scim.read";
    public const string ScimWrite = "scim.write";
    public const string UaaAdmin = "uaa.admin";
}

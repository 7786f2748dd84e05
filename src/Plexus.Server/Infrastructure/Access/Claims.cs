namespace Plexus.Server.Infrastructure.Access;

/// <summary>The claim types the two authentication schemes put on the request's user.</summary>
public static class PlexusClaims
{
    /// <summary>The user id, in access tokens (JWT <c>sub</c>).</summary>
    public const string Subject = "sub";

    public const string ApiKeyId = "key_id";
    public const string ApiKeyOrganization = "org_id";

    /// <summary>One claim per scope of the key.</summary>
    public const string Scope = "scope";
}

namespace Plexus.Server.Features.Router;

/// <summary>Settings of the public router (section <c>Router</c>).</summary>
public sealed class RouterOptions
{
    public const string Section = "Router";

    /// <summary>Hosts <c>{projectSlug}-{stage}.{BaseDomain}</c> are routed with the whole path as the route path.</summary>
    public string BaseDomain { get; set; } = "plexus.localhost";
}

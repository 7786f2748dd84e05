namespace Plexus.Cli.Remote;

/// <summary>Finding a project the way users name it: by its slug.</summary>
internal static class Projects
{
    /// <summary>The project with the slug in one of the caller's organisations (an API key has one).</summary>
    public static async Task<string> ProjectIdAsync(this PlexusApi api, string slug, CancellationToken cancellationToken)
    {
        var orgs = await api.ListAllAsync("api/v1/orgs", cancellationToken).ConfigureAwait(false);
        foreach (var org in orgs)
        {
            var projects = await api.ListAllAsync($"api/v1/orgs/{Wire.Text(org["id"])}/projects", cancellationToken).ConfigureAwait(false);
            if (projects.FirstOrDefault(p => Wire.Text(p["slug"]) == slug) is { } project)
            {
                return Wire.Text(project["id"]);
            }
        }

        var names = string.Join(", ", orgs.Select(o => Wire.Text(o["name"])));
        throw new ApiException(404, $"no project '{slug}'", $"the key's organisation ({names}) has no project with that slug", [], local: true);
    }
}

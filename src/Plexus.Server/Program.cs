await Plexus.Server.PlexusServerHost.RunAsync(args);

/// <summary>The entry point; <see cref="Plexus.Server.PlexusServerHost"/> holds the setup. Public for the tests' WebApplicationFactory.</summary>
public partial class Program;

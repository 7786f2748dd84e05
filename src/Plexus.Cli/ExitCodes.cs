namespace Plexus.Cli;

/// <summary>What <c>plexus</c> exits with.</summary>
public static class ExitCodes
{
    /// <summary>Done: valid, or the run succeeded or is waiting.</summary>
    public const int Ok = 0;

    /// <summary>The run failed or was cancelled.</summary>
    public const int RunFailed = 1;

    /// <summary>Bad input: a missing or invalid file, malformed JSON, bad arguments.</summary>
    public const int BadInput = 2;
}

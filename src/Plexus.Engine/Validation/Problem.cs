namespace Plexus.Engine.Validation;

/// <summary>One problem in a document, at an exact JSON path (<c>nodes[2].settings.status</c>).</summary>
public sealed record Problem(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

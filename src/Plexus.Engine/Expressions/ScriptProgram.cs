using Acornima;
using Acornima.Ast;
using Jint;

namespace Plexus.Engine.Expressions;

/// <summary>The names a script may read, so that only those it mentions are converted before a run.</summary>
[Flags]
internal enum ScopeNames
{
    None = 0,
    Input = 1,
    Trigger = 2,
    Nodes = 4,
    Env = 8,
    Execution = 16,
    Loop = 32,
}

/// <summary>One expression or <c>code.js</c> body, parsed once and runnable on any sandbox.</summary>
/// <remarks>
/// The source is wrapped in a strict function whose parameters are the scope names. The wrapper's first line
/// holds the header only, so a position in the wrapper is the same position in the source one line down.
/// </remarks>
internal sealed class ScriptProgram
{
    private const string Header = "(function (input, trigger, nodes, env, execution, loop) { 'use strict';";

    private static readonly ParserOptions ExpressionSyntax = new();
    private static readonly ParserOptions BodySyntax = new() { AllowReturnOutsideFunction = true };
    private static readonly ScriptPreparationOptions Preparation = new()
    {
        // Interpreted regexes: compiling one costs about a millisecond, and matches are bounded by the regex timeout.
        ParsingOptions = new ScriptParsingOptions { CompileRegex = false },
    };

    private ScriptProgram(string source, Prepared<Script> prepared, ScopeNames uses, ScriptError? error)
    {
        Prepared = prepared;
        Uses = uses;
        Error = error;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        NodeReferences.AddTo(referenced, source);
        ReferencedNodes = referenced;
    }

    /// <summary>Valid only when <see cref="Error"/> is null; evaluating it yields the wrapper function.</summary>
    public Prepared<Script> Prepared { get; }

    public ScopeNames Uses { get; }

    /// <summary>The syntax error, with its position in the source; null when the script is runnable.</summary>
    public ScriptError? Error { get; }

    public IReadOnlyCollection<string> ReferencedNodes { get; }

    /// <summary>An expression: its value is the result.</summary>
    public static ScriptProgram ForExpression(string source) =>
        Create(source, Header + " return (\n" + source + "\n); })", parser => parser.ParseExpression(source, strict: true), ExpressionSyntax);

    /// <summary>A function body: what it returns is the result.</summary>
    public static ScriptProgram ForFunctionBody(string source) =>
        Create(source, Header + "\n" + source + "\n})", parser => parser.ParseScript(source, strict: true), BodySyntax);

    private static ScriptProgram Create(string source, string wrapped, Func<Parser, Node> parse, ParserOptions syntax)
    {
        // The source alone is parsed first: its errors then carry positions in the source, and a body such as
        // "}, function () {" cannot escape the wrapper.
        Node tree;
        try
        {
            tree = parse(new Parser(syntax));
        }
        catch (ParseErrorException e)
        {
            return Failed(source, new ScriptError("syntax", e.Description, e.LineNumber, e.Column + 1));
        }
        var scan = new TreeScan();
        scan.Visit(tree);
        if (scan.Problem is not null)
        {
            return Failed(source, scan.Problem);
        }
        try
        {
            var prepared = Jint.Engine.PrepareScript(wrapped, source: null, strict: true, Preparation);
            return new ScriptProgram(source, prepared, scan.Uses, null);
        }
        catch (ScriptPreparationException e) when (e.InnerException is ParseErrorException engineError)
        {
            // Errors only the engine finds (a parameter name declared again): shift them back to the source.
            return Failed(source, new ScriptError("syntax", engineError.Description, Math.Max(1, engineError.LineNumber - 1), engineError.Column + 1));
        }
    }

    private static ScriptProgram Failed(string source, ScriptError error) => new(source, default, ScopeNames.None, error);

    /// <summary>Collects the scope names a script mentions, and refuses BigInt literals.</summary>
    private sealed class TreeScan : AstVisitor
    {
        public ScopeNames Uses { get; private set; }

        public ScriptError? Problem { get; private set; }

        protected override object? VisitIdentifier(Identifier node)
        {
            Uses |= node.Name switch
            {
                "input" => ScopeNames.Input,
                "trigger" => ScopeNames.Trigger,
                "nodes" => ScopeNames.Nodes,
                "env" => ScopeNames.Env,
                "execution" => ScopeNames.Execution,
                "loop" => ScopeNames.Loop,
                _ => ScopeNames.None,
            };
            return base.VisitIdentifier(node);
        }

        protected override object? VisitLiteral(Literal node)
        {
            // One BigInt operation (2n ** 100000000n) can run for minutes without reaching a limit check.
            if (node is BigIntLiteral && Problem is null)
            {
                var start = node.Location.Start;
                Problem = new ScriptError("syntax", "BigInt is not supported", start.Line, start.Column + 1);
            }
            return base.VisitLiteral(node);
        }
    }
}

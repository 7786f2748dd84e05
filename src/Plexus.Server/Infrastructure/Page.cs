using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Plexus.Server.Infrastructure;

/// <summary>The shape of every list: <c>next</c> is the cursor for the following page, or null on the last.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// Keyset paging: <c>limit</c> (default 50, at most 500) and an opaque <c>cursor</c> from a previous page. The cursor
/// wraps the sort key of the last item seen.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The limit and the key after which to continue, or the problem with the query.</summary>
    public static bool TryRead(int? limit, string? cursor, out int take, out string? after, out ProblemHttpResult? problem)
    {
        take = limit ?? DefaultLimit;
        after = null;
        problem = null;
        if (take is < 1 or > MaxLimit)
        {
            problem = Problems.Validation([("limit", $"must be 1..{MaxLimit}")]);
            return false;
        }

        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        try
        {
            after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return true;
        }
        catch (FormatException)
        {
            problem = Problems.Validation([("cursor", "is not a cursor from a previous page")]);
            return false;
        }
    }

    /// <summary>Builds the page from <paramref name="take"/> + 1 rows: the extra one only tells that a next page exists.</summary>
    public static Page<TOut> Cut<TIn, TOut>(List<TIn> rows, int take, Func<TIn, TOut> map, Func<TIn, string> key)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(key);
        return rows.Count > take
            ? new Page<TOut>([.. rows.Take(take).Select(map)], Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key(rows[take - 1]))))
            : new Page<TOut>([.. rows.Select(map)], null);
    }
}

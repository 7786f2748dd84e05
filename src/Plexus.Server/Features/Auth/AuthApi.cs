using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Audit;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Auth;

/// <summary>
/// Sign-up, login, refresh and logout. Login failures answer one message whether the email exists or not; after
/// <see cref="AuthOptions.MaxFailedLogins"/> failures in a row the account is locked (423, code <c>locked</c>) for
/// <see cref="AuthOptions.LockoutMinutes"/>. Refresh tokens rotate; presenting a used one revokes its whole family.
/// </summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Auth").AllowAnonymous();
        auth.MapPost("/signup", SignUpAsync)
            .WithName("SignUp").WithSummary("Create an account and its personal organisation, and sign in")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        auth.MapPost("/login", LoginAsync)
            .WithName("Login").WithSummary("Sign in with email and password")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status423Locked);
        auth.MapPost("/refresh", RefreshAsync)
            .WithName("Refresh").WithSummary("Trade a refresh token for a new access token and refresh token")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/logout", LogoutAsync)
            .WithName("Logout").WithSummary("End the session of a refresh token (its whole family)");
        return app;
    }

    private const int MinPasswordLength = 10;
    private const int MaxPasswordLength = 1024;

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> SignUpAsync(
        SignUpRequest request, AppDbContext db, Passwords passwords, Sessions sessions, AuditLog audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var email = Emails.Normalize(request.Email);
        var name = request.Name?.Trim();
        var problems = new List<(string, string)>();
        if (email is null)
        {
            problems.Add(("email", "must be an email address"));
        }

        if (request.Password is not { Length: >= MinPasswordLength and <= MaxPasswordLength })
        {
            problems.Add(("password", $"must be {MinPasswordLength} to {MaxPasswordLength} characters"));
        }

        if (name is not { Length: >= 1 and <= 200 })
        {
            problems.Add(("name", "must be 1 to 200 characters"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        if (await db.Users.AnyAsync(u => u.Email == email, cancellationToken).ConfigureAwait(false))
        {
            return EmailTaken();
        }

        var now = time.GetUtcNow();
        var user = new User { Id = Guid.CreateVersion7(now), Email = email!, Name = name!, PasswordHash = "", CreatedAt = now };
        user.PasswordHash = passwords.Hash(user, request.Password!);
        var organization = new Organization { Id = Guid.CreateVersion7(now), Name = name!, Personal = true, CreatedAt = now };
        db.Users.Add(user);
        db.Organizations.Add(organization);
        db.Memberships.Add(new Membership { Id = Guid.CreateVersion7(now), OrganizationId = organization.Id, UserId = user.Id, Role = Roles.Owner, CreatedAt = now });
        var refreshToken = sessions.AddRefreshToken(db, user.Id, Guid.CreateVersion7(now));
        await audit.WriteAsync(db, organization.Id, AuditActions.SignUp, user.Email, null, user.Id).ConfigureAwait(false);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Someone signed up with the same email between the check and the insert.
            if (await EmailExistsAsync(db, email!, cancellationToken).ConfigureAwait(false))
            {
                return EmailTaken();
            }

            throw;
        }

        return TypedResults.Created((string?)null, sessions.Answer(user, refreshToken, new OrganizationRef(organization.Id, organization.Name)));
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, AppDbContext db, Passwords passwords, Sessions sessions, AuditLog audit, TimeProvider time,
        IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Validation([
                .. string.IsNullOrWhiteSpace(request.Email) ? [("email", "is required")] : Array.Empty<(string, string)>(),
                .. string.IsNullOrEmpty(request.Password) ? [("password", "is required")] : Array.Empty<(string, string)>(),
            ]);
        }

        var email = Emails.Normalize(request.Email) ?? request.Email.Trim();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            passwords.VerifyAgainstNobody(request.Password);
            await audit.WriteAsync(db, null, AuditActions.LoginFailed, email, "unknown email").ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return WrongCredentials();
        }

        var now = time.GetUtcNow();
        var home = await Sessions.HomeAsync(db, user.Id, cancellationToken).ConfigureAwait(false);
        if (user.LockedUntil > now)
        {
            return Locked(user.LockedUntil.Value);
        }

        var verified = passwords.Verify(user, request.Password);
        if (verified == PasswordVerificationResult.Failed)
        {
            user.FailedLogins++;
            await audit.WriteAsync(db, home?.Id, AuditActions.LoginFailed, user.Email, "wrong password", user.Id).ConfigureAwait(false);
            if (user.FailedLogins >= options.Value.MaxFailedLogins)
            {
                user.FailedLogins = 0;
                user.LockedUntil = now.AddMinutes(options.Value.LockoutMinutes);
                await audit.WriteAsync(db, home?.Id, AuditActions.LockedOut, user.Email, $"until {user.LockedUntil:O}", user.Id).ConfigureAwait(false);
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return WrongCredentials();
        }

        if (verified == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = passwords.Hash(user, request.Password);
        }

        user.FailedLogins = 0;
        user.LockedUntil = null;
        var refreshToken = sessions.AddRefreshToken(db, user.Id, Guid.CreateVersion7(now));
        await audit.WriteAsync(db, home?.Id, AuditActions.Login, user.Email, null, user.Id).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(sessions.Answer(user, refreshToken, home));
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, AppDbContext db, Sessions sessions, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return Problems.Validation([("refreshToken", "is required")]);
        }

        var hash = Hashes.Sha256(request.RefreshToken);
        var stored = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return InvalidRefreshToken("the refresh token is not valid");
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Only one request can rotate a token; anyone presenting it afterwards (a replay, or the loser of a race) ends the family.
        var rotated = stored.RevokedAt is null && stored.RotatedAt is null && stored.ExpiresAt > now
            && await db.RefreshTokens.Where(t => t.Id == stored.Id && t.RotatedAt == null && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RotatedAt, now), cancellationToken).ConfigureAwait(false) == 1;
        if (!rotated)
        {
            if (stored.ExpiresAt <= now && stored.RevokedAt is null && stored.RotatedAt is null)
            {
                return InvalidRefreshToken("the refresh token has expired");
            }

            await sessions.RevokeFamilyAsync(db, stored.FamilyId, cancellationToken).ConfigureAwait(false);
            var home = await Sessions.HomeAsync(db, stored.UserId, cancellationToken).ConfigureAwait(false);
            await audit.WriteAsync(db, home?.Id, AuditActions.RefreshReused, stored.FamilyId.ToString(), "family revoked", stored.UserId).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return InvalidRefreshToken("the refresh token was already used or revoked: sign in again");
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == stored.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return InvalidRefreshToken("the refresh token is not valid");
        }

        var next = sessions.AddRefreshToken(db, user.Id, stored.FamilyId);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var organization = await Sessions.HomeAsync(db, user.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(sessions.Answer(user, next, organization));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(
        RefreshRequest request, AppDbContext db, Sessions sessions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return Problems.Validation([("refreshToken", "is required")]);
        }

        var hash = Hashes.Sha256(request.RefreshToken);
        var familyId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (familyId is { } family)
        {
            await sessions.RevokeFamilyAsync(db, family, cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.NoContent();
    }

    private static Task<bool> EmailExistsAsync(AppDbContext db, string email, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return db.Users.AnyAsync(u => u.Email == email, cancellationToken);
    }

    private static ProblemHttpResult EmailTaken() =>
        Problems.Conflict("email-taken", "The email is taken", "an account with this email exists: sign in instead");

    private static ProblemHttpResult WrongCredentials() =>
        Problems.Of(StatusCodes.Status401Unauthorized, "invalid-credentials", "Sign-in failed", "email or password is wrong");

    private static ProblemHttpResult Locked(DateTimeOffset until) =>
        Problems.Of(StatusCodes.Status423Locked, "locked", "The account is locked",
            $"too many failed logins: try again after {until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");

    private static ProblemHttpResult InvalidRefreshToken(string detail) =>
        Problems.Of(StatusCodes.Status401Unauthorized, "invalid-refresh-token", "Sign in again", detail);
}

public sealed record SignUpRequest(string? Email, string? Password, string? Name);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

using Microsoft.AspNetCore.Identity;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Auth;

/// <summary>
/// ASP.NET Core Identity's hasher (PBKDF2, salted, versioned). An unknown email is checked against a dummy hash, so a
/// login takes about as long whether the account exists or not.
/// </summary>
internal sealed class Passwords
{
    private readonly PasswordHasher<User> _hasher = new();
    private readonly User _nobody = new() { Email = "", Name = "", PasswordHash = "" };
    private readonly string _dummyHash;

    public Passwords() => _dummyHash = _hasher.HashPassword(_nobody, Hashes.NewSecret());

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    public PasswordVerificationResult Verify(User user, string password) => _hasher.VerifyHashedPassword(user, user.PasswordHash, password);

    public void VerifyAgainstNobody(string password) => _hasher.VerifyHashedPassword(_nobody, _dummyHash, password);
}

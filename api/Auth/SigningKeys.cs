using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CloudController.Api.Auth;

/// <summary>The RSA key that signs tokens, and every public key whose signatures are accepted, each with its key id.</summary>
internal sealed partial class SigningKeys : IDisposable
{
    private readonly List<(string Kid, RSA Key)> _trusted = [];
    private SigningCredentials? _credentials;
    private IReadOnlyList<SecurityKey>? _validation;

    public SigningKeys(IOptions<UaaOptions> options, ILogger<SigningKeys> logger)
    {
        var uaa = options.Value;
        Signer = RSA.Create();
        if (!string.IsNullOrWhiteSpace(uaa.SigningKey))
        {
            Signer.ImportFromPem(uaa.SigningKey);
        }
        else if (!string.IsNullOrWhiteSpace(uaa.SigningKeyPath))
        {
            Signer.ImportFromPem(LoadOrCreate(uaa.SigningKeyPath, logger));
        }
        else
        {
            Signer.KeySize = 2048;
            LogEphemeralKey(logger);
        }

        SignerKid = KidOf(Signer);
        _trusted.Add((SignerKid, Signer));
        foreach (var pem in uaa.TrustedKeys)
        {
            var key = RSA.Create();
            key.ImportFromPem(pem);
            _trusted.Add((KidOf(key), key));
        }
    }

    public RSA Signer { get; }

    public string SignerKid { get; }

    /// <summary>What tokens are signed with: the signer, RS256, its key id in the header.</summary>
    public SigningCredentials SigningCredentials => _credentials ??= new(new RsaSecurityKey(Signer) { KeyId = SignerKid }, SecurityAlgorithms.RsaSha256);

    /// <summary>Every key whose signatures are accepted, each with its key id (a token naming a <c>kid</c> is checked against that key).</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys => _validation ??= [.. _trusted.Select(t => new RsaSecurityKey(t.Key) { KeyId = t.Kid })];

    public void Dispose()
    {
        foreach (var (_, key) in _trusted)
        {
            key.Dispose();
        }
    }

    private static string LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var fresh = RSA.Create(2048);
        var pem = fresh.ExportPkcs8PrivateKeyPem();
        try
        {
            // CreateNew: when several api instances start at once, exactly one key wins and all read it.
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(file);
            writer.Write(pem);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            LogCreatedKey(logger, path);
            return pem;
        }
        catch (IOException) when (File.Exists(path))
        {
            Thread.Sleep(100);
            return File.ReadAllText(path);
        }
    }

    private static string KidOf(RSA key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Uaa:SigningKey or Uaa:SigningKeyPath configured: tokens are signed with a key that dies with this process")]
    private static partial void LogEphemeralKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created token signing key at {Path}")]
    private static partial void LogCreatedKey(ILogger logger, string path);
}

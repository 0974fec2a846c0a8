namespace CustomerHealth.Store.Tests;

public class SecretsTests
{
    [Theory]
    [InlineData("Host=db.internal;Port=5433;Username=chs;Password=s3cret-PW;Database=health", "Host=db.internal;Port=5433;Username=chs;Password=***;Database=health")]
    [InlineData("Host=db;password = 's3cret-PW; with semicolon';Database=health", "Host=db;password = ***;Database=health")]
    [InlineData("host=db;PWD=s3cret-PW", "host=db;PWD=***")]
    [InlineData("postgres://chs:s3cret-PW@db.internal:5433/health", "postgres://chs:***@db.internal:5433/health")]
    [InlineData("postgresql://chs:s3cret@PW@db/health?sslmode=require", "postgresql://chs:***@db/health?sslmode=require")]
    [InlineData("postgres://db/health?user=chs&password=s3cret-PW", "postgres://db/health?user=chs&password=***")]
    [InlineData("cannot open Host=db;Password=s3cret-PW: refused", "cannot open Host=db;Password=***")]
    public void Redact_APasswordBearingStoreName_HidesThePasswordKeepsTheRest(string text, string expected)
    {
        var redacted = Secrets.Redact(text);

        redacted.ShouldBe(expected);
        redacted.ShouldNotContain("s3cret");
    }

    [Theory]
    [InlineData("/var/lib/chs/chs.db")]
    [InlineData("Host=db;Username=chs;Database=health")]
    [InlineData("postgres://chs@db:5432/health")]
    [InlineData("the file chs.db is locked")]
    public void Redact_TextWithoutAPassword_IsUnchanged(string text) => Secrets.Redact(text).ShouldBe(text);
}

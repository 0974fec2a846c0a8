using CustomerHealth.Core.Alerts;

namespace CustomerHealth.Core.Tests.Alerts;

public sealed class RuleSecretsTests
{
    private const string Rules = """
        # the CRM and the team channel
        rules:
          - id: red
            when: { grade_entered: red }
            notify: [ "webhook:crm", "slack:team" ]
        destinations:
          crm: { kind: webhook, url: "https://crm.example.com/hook", secret: "s3cr3t \"quoted\"" }
          team:
            url: https://hooks.slack.com/services/T000/B000/XXXX
            kind: slack
          plain: { kind: webhook, url: "https://plain.example.com/hook" }
        """;

    [Fact]
    public void Seal_ReplacesEveryWebhookSecretAndSlackUrl_KeepsTheRestAsWritten()
    {
        var (yaml, secrets) = RuleSecrets.Seal(Rules);
        secrets.ShouldBe(new Dictionary<string, string>
        {
            ["crm.secret"] = "s3cr3t \"quoted\"",
            ["team.url"] = "https://hooks.slack.com/services/T000/B000/XXXX",
        }, ignoreOrder: true);
        yaml.ShouldNotContain("s3cr3t");
        yaml.ShouldNotContain("hooks.slack.com");
        yaml.ShouldContain("# the CRM and the team channel");
        yaml.ShouldContain("url: \"https://crm.example.com/hook\"");
        yaml.ShouldContain("https://plain.example.com/hook");
        var loaded = AlertRulesLoader.Load(RuleSecrets.Unseal(yaml, n => secrets.GetValueOrDefault(n)).Yaml);
        loaded.Destinations["crm"].Secret.ShouldBe("s3cr3t \"quoted\"");
        loaded.Destinations["team"].Url.ShouldBe(new Uri("https://hooks.slack.com/services/T000/B000/XXXX"));
    }

    [Fact]
    public void Seal_OfSealedText_ChangesNothingAndFindsNoSecrets()
    {
        var (once, _) = RuleSecrets.Seal(Rules);
        var (twice, secrets) = RuleSecrets.Seal(once);
        twice.ShouldBe(once);
        secrets.ShouldBeEmpty();
    }

    [Fact]
    public void Unseal_APlaceholderWithNothingStored_IsAProblemAtItsLine()
    {
        var (sealedYaml, _) = RuleSecrets.Seal(Rules);
        var (_, errors) = RuleSecrets.Unseal(sealedYaml, _ => null);
        errors.Count.ShouldBe(2);
        errors.ShouldContain(e => e.Line == 7 && e.Message.Contains("destination `crm`", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not: [valid")]
    [InlineData("- a list\n- at the root")]
    [InlineData("")]
    public void Seal_OfTextThatIsNotARulesMapping_LeavesItToTheLoader(string yaml) => RuleSecrets.Seal(yaml).Yaml.ShouldBe(yaml);

    [Fact]
    public void Seal_DeeplyNestedText_DoesNotRecurse()
    {
        var deep = "destinations: " + new string('[', 40_000) + new string(']', 40_000);
        RuleSecrets.Seal(deep).Yaml.ShouldBe(deep);
    }
}

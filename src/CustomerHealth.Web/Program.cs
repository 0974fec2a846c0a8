namespace CustomerHealth.Web;

/// <summary>Runs the web app on its own (`chs serve` is the usual way); tests start it through this entry point.</summary>
public sealed class Program
{
    public static void Main(string[] args) => ChsWebApp.Build(args).Run();
}

using CustomerHealth.Cli;
using CustomerHealth.Cli.Commands;

StartupProfile.Start(args);
return Chs.Run(args, TimeProvider.System);

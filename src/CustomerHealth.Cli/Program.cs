using CustomerHealth.Cli.Commands;

return Chs.Run(args, TimeProvider.System);

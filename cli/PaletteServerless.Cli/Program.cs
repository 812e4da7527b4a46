using PaletteServerless.Cli;

return await Psctl.RunAsync(args, CliHost.FromProcess(), CancellationToken.None);

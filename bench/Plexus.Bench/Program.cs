using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Plexus.Bench.EngineBenchmarks).Assembly).Run(args);

// One jsii runtime (a node child process) serves the whole test process; its .NET client is not
// meant for concurrent calls, so the CDK tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PaletteServerless.Local;

/// <summary>Every option of the local stack (the command line maps onto this one record).</summary>
public sealed record LocalStackOptions
{
    /// <summary>
    /// The one loopback port of the edge endpoint: the product API, /local/*, and every AWS protocol. 0 takes a
    /// free one, held from the start until the edge binds it (<see cref="LocalStack.Endpoint"/> says which).
    /// </summary>
    public int Port { get; init; } = 4566;

    /// <summary>Where to persist DynamoDB, executions and the local AWS across restarts; null keeps everything in memory.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Divides every Wait, retry interval, timeout and modelled AWS delay: 60 turns a minute into a second.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>A JSON fault profile for the local AWS (errors, throttling, capacity, failed NAT gateways, eventual consistency).</summary>
    public string? FaultProfilePath { get; init; }

    /// <summary>Overrides the fault profile's seed to replay a run.</summary>
    public int? FaultSeed { get; init; }

    /// <summary>The fraction of booted nodes that never report a phase (the local node agent); null keeps the fault profile's.</summary>
    public double? NodeNeverReportsRate { get; init; }

    /// <summary>The fraction of first control planes that report PacksFailed; null keeps the fault profile's.</summary>
    public double? PacksFailureRate { get; init; }

    /// <summary>The fraction of workflow step invocations that "crash" after doing their work (see StepCrashes); 0 is off.</summary>
    public double StepCrashRate { get; init; }

    /// <summary>A JSON file of extra STS roles, {"roles":[{"account","name","externalId","trustedAccount"}]}; every account already has the target stack's role palette-serverless/PaletteServerlessClusterBuilder trusting "palette-local" until PUT /local/accounts/{account}/target-stack deploys it with a registration's external id.</summary>
    public string? StsRolesPath { get; init; }

    /// <summary>The chance per running spot instance per modelled minute that EC2 interrupts it (--spot-interruption-rate); null keeps the fault profile's.</summary>
    public double? SpotInterruptionRate { get; init; }

    /// <summary>The chance per running instance per modelled minute that its system status check fails (--impairment-rate); null keeps the fault profile's.</summary>
    public double? InstanceImpairmentRate { get; init; }

    /// <summary>Switches on the EC2 API token buckets.</summary>
    public bool Throttling { get; init; }

    /// <summary>The EC2 token buckets refill per modelled second rather than per real second (see the local AWS's option of that name).</summary>
    public bool ThrottlingInModelledTime { get; init; }

    /// <summary>The on-demand standard vCPU quota (L-1216C47A) of every account and region: what RunInstances enforces and Service Quotas reports.</summary>
    public int OnDemandVcpuQuota { get; init; } = 64;

    /// <summary>The region the product's own functions run in.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The AWS account the product itself is deployed in, locally.</summary>
    public string AccountId { get; init; } = "000000000000";

    /// <summary>
    /// Enforce IAM (--iam on|off): every call the product's functions, the STS sessions and the
    /// nodes make is evaluated against the policies the CDK app synthesizes. Off is for debugging.
    /// </summary>
    public bool Iam { get; init; } = true;

    /// <summary>
    /// The tenants whose tenant-admins may register a cloud account without a role (the product stack's
    /// RoleLessTenants parameter), which builds in the local product account: "*" (any tenant) here, so the
    /// walk-through needs no target account; CDK's default is none.
    /// </summary>
    public string RoleLessTenants { get; init; } = "*";

    /// <summary>Run the walk-through of the README against the stack once it is ready.</summary>
    public bool Demo { get; init; }

    /// <summary>
    /// The functions' log level, set as Lambda sets it (AWS_LAMBDA_LOG_LEVEL): WARN keeps the console
    /// to what a person watches; INFO shows each step's JSON line, as CloudWatch Logs would hold it.
    /// </summary>
    public string FunctionLogLevel { get; init; } = "WARN";
}

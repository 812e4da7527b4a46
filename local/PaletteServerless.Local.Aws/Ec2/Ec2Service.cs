using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// The local EC2 (query protocol, API version 2016-11-15). Each operation runs under the store
/// lock against the caller's account and region, after time has been applied (owned interfaces
/// and volumes gone with their owners, addresses unmapped from interfaces that are gone).
/// </summary>
public sealed partial class Ec2Service : ILocalAwsService, IEc2Network, IAppliesTime
{
    public const string XmlNamespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    public const string ApiVersion = "2016-11-15";

    private readonly Dictionary<string, Func<Ec2Request, LocalAwsResponse>> _operations;

    public Ec2Service()
    {
        _operations = new(StringComparer.Ordinal)
        {
            ["DescribeRegions"] = DescribeRegions,
            ["DescribeAvailabilityZones"] = DescribeAvailabilityZones,
            ["DescribeAccountAttributes"] = DescribeAccountAttributes,
            ["DescribeInstanceTypes"] = DescribeInstanceTypes,
            ["DescribeInstanceTypeOfferings"] = DescribeInstanceTypeOfferings,
            ["DescribeImages"] = DescribeImages,
            ["CreateKeyPair"] = CreateKeyPair,
            ["ImportKeyPair"] = ImportKeyPair,
            ["DescribeKeyPairs"] = DescribeKeyPairs,
            ["DeleteKeyPair"] = DeleteKeyPair,
            ["CreateVpc"] = CreateVpc,
            ["DescribeVpcs"] = DescribeVpcs,
            ["DeleteVpc"] = DeleteVpc,
            ["CreateSubnet"] = CreateSubnet,
            ["DescribeSubnets"] = DescribeSubnets,
            ["DeleteSubnet"] = DeleteSubnet,
            ["ModifySubnetAttribute"] = ModifySubnetAttribute,
            ["CreateInternetGateway"] = CreateInternetGateway,
            ["DescribeInternetGateways"] = DescribeInternetGateways,
            ["AttachInternetGateway"] = AttachInternetGateway,
            ["DetachInternetGateway"] = DetachInternetGateway,
            ["DeleteInternetGateway"] = DeleteInternetGateway,
            ["AllocateAddress"] = AllocateAddress,
            ["DescribeAddresses"] = DescribeAddresses,
            ["AssociateAddress"] = AssociateAddress,
            ["DisassociateAddress"] = DisassociateAddress,
            ["ReleaseAddress"] = ReleaseAddress,
            ["CreateNatGateway"] = CreateNatGateway,
            ["DescribeNatGateways"] = DescribeNatGateways,
            ["DeleteNatGateway"] = DeleteNatGateway,
            ["CreateRouteTable"] = CreateRouteTable,
            ["DescribeRouteTables"] = DescribeRouteTables,
            ["DeleteRouteTable"] = DeleteRouteTable,
            ["CreateRoute"] = CreateRoute,
            ["DeleteRoute"] = DeleteRoute,
            ["AssociateRouteTable"] = AssociateRouteTable,
            ["DisassociateRouteTable"] = DisassociateRouteTable,
            ["CreateSecurityGroup"] = CreateSecurityGroup,
            ["DescribeSecurityGroups"] = DescribeSecurityGroups,
            ["DeleteSecurityGroup"] = DeleteSecurityGroup,
            ["AuthorizeSecurityGroupIngress"] = r => AuthorizeRules(r, egress: false),
            ["AuthorizeSecurityGroupEgress"] = r => AuthorizeRules(r, egress: true),
            ["RevokeSecurityGroupIngress"] = r => RevokeRules(r, egress: false),
            ["RevokeSecurityGroupEgress"] = r => RevokeRules(r, egress: true),
            ["RunInstances"] = RunInstances,
            ["DescribeInstances"] = DescribeInstances,
            ["DescribeInstanceStatus"] = DescribeInstanceStatus,
            ["TerminateInstances"] = TerminateInstances,
            ["StopInstances"] = StopInstances,
            ["StartInstances"] = StartInstances,
            ["RebootInstances"] = RebootInstances,
            ["ModifyInstanceMetadataOptions"] = ModifyInstanceMetadataOptions,
            ["DescribeInstanceAttribute"] = DescribeInstanceAttribute,
            ["DescribeNetworkInterfaces"] = DescribeNetworkInterfaces,
            ["DeleteNetworkInterface"] = DeleteNetworkInterface,
            ["DescribeVolumes"] = DescribeVolumes,
            ["DeleteVolume"] = DeleteVolume,
            ["CreateTags"] = CreateTags,
            ["DeleteTags"] = DeleteTags,
            ["DescribeTags"] = DescribeTags,
        };
    }

    public string ServiceName => "ec2";
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string RouteKey => ApiVersion;
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Ec2;
    string? ILocalAwsService.XmlNamespace => XmlNamespace;
    public string ThrottlingErrorCode => "RequestLimitExceeded";

    /// <summary>The operations this EC2 answers.</summary>
    public IReadOnlyCollection<string> Operations => _operations.Keys;

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        if (!_operations.TryGetValue(call.Operation, out var operation))
            throw new AwsErrorException("InvalidAction", $"The action {call.Operation} is not valid for this web service.");
        lock (call.Aws.Store.Sync)
        {
            var request = new Ec2Request(call);
            ApplyTime(request.World, call.Now, call.Aws.TerminalRetention);
            // A caller never sees a state before its event is out.
            foreach (var instance in request.World.All<Instance>().OrderBy(i => i.Sequence))
                AnnounceDueStates(call.Aws, instance, call.Now);
            NodeAgent.Advance(request.World, call.Now, call.Aws.Latency, call.Aws.Faults, new NodeCredentials(call.Aws, request.World));
            if (request.P.Bool("DryRun") == true)
                throw new AwsErrorException("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
            return Task.FromResult(operation(request));
        }
    }

    /// <summary>
    /// Brings a world up to the clock: expired and orphaned resources go (core), then references
    /// to what went are dropped, as EC2 drops an address's association when its interface is deleted.
    /// </summary>
    void IAppliesTime.ApplyTime(AwsWorld world, DateTimeOffset now, TimeSpan retention) => ApplyTime(world, now, retention);

    private static void ApplyTime(AwsWorld world, DateTimeOffset now, TimeSpan retention)
    {
        world.Settle(now, retention);
        foreach (var address in world.All<ElasticIp>())
        {
            var interfaceGone = address.NetworkInterfaceId is { } eni && world.Find<NetworkInterface>(eni) is null;
            var instanceGone = address.InstanceId is { } instanceId && !(world.Find<Instance>(instanceId)?.IsLiveAt(now) ?? false);
            if (interfaceGone || instanceGone)
            {
                ClearAssociation(address);
                address.SetState("allocated", now);
            }
        }
        foreach (var volume in world.All<Volume>())
        {
            if (volume.AttachedInstanceId is { } id && (world.Find<Instance>(id) is not { } instance || !instance.IsLiveAt(now)))
            {
                volume.AttachedInstanceId = null;
                volume.Device = null;
                volume.SetState("available", now);
            }
        }
    }

    private static void ClearAssociation(ElasticIp address)
    {
        address.AssociationId = null;
        address.NetworkInterfaceId = null;
        address.InstanceId = null;
        address.PrivateIpAddress = null;
    }
}

using System.Globalization;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Ec2;

// How IAM authorizes each EC2 call, as the Service Authorization Reference's "Actions, resources,
// and condition keys for Amazon EC2" lists it: the resource types of each action, with the
// request's tags on what it creates and the tags of what it acts on.
public sealed partial class Ec2Service : IAuthorizesRequests
{
    private static readonly Dictionary<string, Action<Ec2Checks>> AuthorizationMaps = new(StringComparer.Ordinal)
    {
        // Describe* have no resource-level permissions: one check on "*".
        ["DescribeRegions"] = c => c.AnyResource(),
        ["DescribeAvailabilityZones"] = c => c.AnyResource(),
        ["DescribeAccountAttributes"] = c => c.AnyResource(),
        ["DescribeInstanceTypes"] = c => c.AnyResource(),
        ["DescribeInstanceTypeOfferings"] = c => c.AnyResource(),
        ["DescribeImages"] = c => c.AnyResource(),
        ["DescribeKeyPairs"] = c => c.AnyResource(),
        ["DescribeVpcs"] = c => c.AnyResource(),
        ["DescribeSubnets"] = c => c.AnyResource(),
        ["DescribeInternetGateways"] = c => c.AnyResource(),
        ["DescribeAddresses"] = c => c.AnyResource(),
        ["DescribeNatGateways"] = c => c.AnyResource(),
        ["DescribeRouteTables"] = c => c.AnyResource(),
        ["DescribeSecurityGroups"] = c => c.AnyResource(),
        ["DescribeInstances"] = c => c.AnyResource(),
        ["DescribeInstanceStatus"] = c => c.AnyResource(),
        ["DescribeNetworkInterfaces"] = c => c.AnyResource(),
        ["DescribeVolumes"] = c => c.AnyResource(),
        ["DescribeTags"] = c => c.AnyResource(),
        // DescribeInstanceAttribute is the exception: the SAR lists the instance for it.
        ["DescribeInstanceAttribute"] = c => c.Existing(c.Visible<Instance>("InstanceId")),

        // A key pair's ARN ends in its name, which the request gives.
        ["CreateKeyPair"] = c => c.New("key-pair", c.R.P["KeyName"], keys => keys.With("ec2:KeyPairType", c.R.P["KeyType"] ?? "rsa")),
        ["ImportKeyPair"] = c => c.New("key-pair", c.R.P["KeyName"]),
        ["DeleteKeyPair"] = c => c.ExistingKeyPair(c.R.P["KeyPairId"] is { } id ? c.R.World.Find<KeyPair>(id) : c.KeyPairNamed(c.R.P["KeyName"])),

        ["CreateVpc"] = c => c.New("vpc"),
        ["DeleteVpc"] = c => c.Existing(c.Live<Vpc>("VpcId")),
        ["CreateSubnet"] = c => c.New("subnet").Existing(c.Live<Vpc>("VpcId")),
        ["DeleteSubnet"] = c => c.Existing(c.Live<Subnet>("SubnetId")),
        ["ModifySubnetAttribute"] = c => c.Existing(c.Live<Subnet>("SubnetId")),
        ["CreateInternetGateway"] = c => c.New("internet-gateway"),
        ["AttachInternetGateway"] = c => c.Existing(c.Live<InternetGateway>("InternetGatewayId")).Existing(c.Live<Vpc>("VpcId")),
        ["DetachInternetGateway"] = c => c.Existing(c.Live<InternetGateway>("InternetGatewayId")).Existing(c.Live<Vpc>("VpcId")),
        ["DeleteInternetGateway"] = c => c.Existing(c.Live<InternetGateway>("InternetGatewayId")),

        ["AllocateAddress"] = c => c.New("elastic-ip"),
        ["AssociateAddress"] = c => c.Existing(FindAddress(c.R)).Existing(c.Live<Instance>("InstanceId")).Existing(c.Live<NetworkInterface>("NetworkInterfaceId")),
        ["DisassociateAddress"] = c => c.Existing(c.R.P["AssociationId"] is { } id ? FindAssociatedAddress(c.R, id) : FindAddress(c.R)),
        ["ReleaseAddress"] = c => c.Existing(FindAddress(c.R)),
        ["CreateNatGateway"] = c => c.New("natgateway").Existing(c.Live<Subnet>("SubnetId")).Existing(c.Live<ElasticIp>("AllocationId")),
        ["DeleteNatGateway"] = c => c.Existing(c.Live<NatGateway>("NatGatewayId")),

        ["CreateRouteTable"] = c => c.New("route-table").Existing(c.Live<Vpc>("VpcId")),
        ["DeleteRouteTable"] = c => c.Existing(c.Live<RouteTable>("RouteTableId")),
        ["CreateRoute"] = c => c.Existing(c.Live<RouteTable>("RouteTableId")),
        ["DeleteRoute"] = c => c.Existing(c.Live<RouteTable>("RouteTableId")),
        ["AssociateRouteTable"] = c => c.Existing(c.Live<RouteTable>("RouteTableId")).Existing(c.Live<Subnet>("SubnetId")),
        ["DisassociateRouteTable"] = c => c.DisassociatedRouteTable(),

        ["CreateSecurityGroup"] = c => c.New("security-group").Existing(c.Live<Vpc>("VpcId")),
        ["DeleteSecurityGroup"] = c => c.Existing(FindGroup(c.R)),
        ["AuthorizeSecurityGroupIngress"] = c => c.Existing(FindGroup(c.R)),
        ["AuthorizeSecurityGroupEgress"] = c => c.Existing(FindGroup(c.R)),
        ["RevokeSecurityGroupIngress"] = c => c.Existing(FindGroup(c.R)),
        ["RevokeSecurityGroupEgress"] = c => c.Existing(FindGroup(c.R)),

        ["RunInstances"] = c => c.Launch(),
        ["TerminateInstances"] = c => c.EachInstance(),
        ["StopInstances"] = c => c.EachInstance(),
        ["StartInstances"] = c => c.EachInstance(),
        ["RebootInstances"] = c => c.EachInstance(),
        ["ModifyInstanceMetadataOptions"] = c => c.Existing(c.Visible<Instance>("InstanceId")),
        ["DeleteNetworkInterface"] = c => c.Existing(c.Live<NetworkInterface>("NetworkInterfaceId")),
        ["DeleteVolume"] = c => c.Existing(c.Live<Volume>("VolumeId")),

        ["CreateTags"] = c => c.Tagging(removing: false),
        ["DeleteTags"] = c => c.Tagging(removing: true),
    };

    /// <summary>The checks IAM makes for one EC2 call; null for an operation this EC2 does not answer.</summary>
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        if (!AuthorizationMaps.TryGetValue(call.Operation, out var map))
            return null;
        var checks = new Ec2Checks(new Ec2Request(call));
        map(checks);
        return checks.All;
    }

    /// <summary>
    /// The checks of one request, in the order they are added: the action's own checks, then
    /// <c>ec2:CreateTags</c> for each resource the request tags as it creates it (EC2's
    /// "Grant permission to tag Amazon EC2 resources during creation"), then <c>iam:PassRole</c>.
    /// </summary>
    private sealed class Ec2Checks(Ec2Request r)
    {
        private readonly List<AuthorizationCheck> _checks = [];
        private readonly List<AuthorizationCheck> _createTags = [];
        private readonly List<AuthorizationCheck> _passRoles = [];

        public Ec2Request R { get; } = r;

        public IReadOnlyList<AuthorizationCheck> All => [.. _checks, .. _createTags, .. _passRoles];

        private string Action => "ec2:" + R.Call.Operation;

        /// <summary>Every EC2 action takes <c>ec2:Region</c>, the region the request is made in.</summary>
        private Dictionary<string, IReadOnlyList<string>> Context() => AuthorizationContext.Empty().With("ec2:Region", R.World.Region);

        public Ec2Checks AnyResource()
        {
            _checks.Add(AuthorizationCheck.Of(Action, "*", Context()));
            return this;
        }

        /// <summary>
        /// A resource the request creates, on its ARN with the id not yet known (<c>vpc/*</c>) or
        /// with the name the request gives it; the request's tags for its type, and
        /// <c>ec2:CreateTags</c> on it when there are any.
        /// </summary>
        public Ec2Checks New(string resourceType, string? name = null, Action<Dictionary<string, IReadOnlyList<string>>>? keys = null)
        {
            var arn = R.Arn(resourceType, name ?? "*");
            var tags = R.TagsFor(resourceType);
            var context = Context().WithRequestTags(tags);
            keys?.Invoke(context);
            _checks.Add(AuthorizationCheck.Of(Action, arn, context));
            if (tags.Count > 0)
                _createTags.Add(AuthorizationCheck.Of("ec2:CreateTags", arn, Context().With("ec2:CreateAction", R.Call.Operation).WithRequestTags(tags)));
            return this;
        }

        /// <summary>An existing resource: its ARN, its tags and the SAR's keys for its type; nothing when it does not exist.</summary>
        public Ec2Checks Existing(AwsResource? resource)
        {
            if (resource is not null)
                _checks.Add(AuthorizationCheck.Of(Action, resource.Arn, WithResourceKeys(Context().WithResourceTags(resource.Tags, "ec2"), resource)));
            return this;
        }

        /// <summary>A key pair's ARN names it by its name (the SAR's <c>key-pair/${KeyPairName}</c>), not by its id.</summary>
        public Ec2Checks ExistingKeyPair(KeyPair? keyPair)
        {
            if (keyPair is not null)
                _checks.Add(AuthorizationCheck.Of(Action, R.Arn("key-pair", keyPair.KeyName), WithResourceKeys(Context().WithResourceTags(keyPair.Tags, "ec2"), keyPair)));
            return this;
        }

        /// <summary>The live resource a parameter names, as the operations find it.</summary>
        public T? Live<T>(string parameter) where T : AwsResource => R.P[parameter] is { } id ? R.Find<T>(id) : null;

        /// <summary>The resource a parameter names, live or gone (an instance terminated a moment ago).</summary>
        public T? Visible<T>(string parameter) where T : AwsResource => R.P[parameter] is { } id ? R.FindVisible<T>(id) : null;

        public KeyPair? KeyPairNamed(string? name) => name is null ? null : FindKeyPair(R.World, name);

        public Ec2Checks EachInstance()
        {
            foreach (var id in R.P.List("InstanceId").Distinct(StringComparer.Ordinal))
                Existing(R.FindVisible<Instance>(id));
            return this;
        }

        /// <summary>The SAR lists the route table and the subnet of the association for DisassociateRouteTable.</summary>
        public Ec2Checks DisassociatedRouteTable()
        {
            if (R.P["AssociationId"] is not { } associationId || FindAssociatedRouteTable(R, associationId) is not { } table)
                return this;
            var subnetId = table.Associations.First(a => a.Id == associationId).SubnetId;
            return Existing(table).Existing(subnetId is null ? null : R.Find<Subnet>(subnetId));
        }

        /// <summary>
        /// CreateTags and DeleteTags: a check on each resource named, with the tags (or, deleting,
        /// the keys) the request gives and the tags the resource has.
        /// </summary>
        public Ec2Checks Tagging(bool removing)
        {
            var requested = RequestedTags(R);
            foreach (var id in R.P.List("ResourceId"))
            {
                if (FindTaggable(R, id) is not { } resource)
                    continue;
                var context = Context().WithResourceTags(resource.Tags, "ec2");
                if (removing)
                {
                    if (requested.Count > 0)
                        context.With("aws:TagKeys", [.. requested.Select(t => t.Key)]);
                }
                else
                {
                    // A key given twice takes its last value, as CreateTags applies them in turn.
                    var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (key, value) in requested)
                        tags[key] = value ?? "";
                    context.WithRequestTags(tags);
                }
                var arn = resource is KeyPair keyPair ? R.Arn("key-pair", keyPair.KeyName) : resource.Arn;
                _checks.Add(AuthorizationCheck.Of(Action, arn, context));
            }
            return this;
        }

        /// <summary>
        /// RunInstances, on every resource type the SAR lists for what the request names or
        /// makes: the new instance, its volumes and its network interface, the subnet, the
        /// security groups (the VPC's default group when none is named), the image, the key pair,
        /// a spot request for a spot launch; and <c>iam:PassRole</c> on the instance profile's role.
        /// </summary>
        public Ec2Checks Launch()
        {
            var subnet = LaunchSubnetId(R) is { } subnetId ? R.Find<Subnet>(subnetId) : null;
            var profileName = LaunchInstanceProfileName(R);
            New("instance", keys: keys =>
            {
                keys.With("ec2:InstanceType", LaunchInstanceType(R))
                    .With("ec2:InstanceMarketType", IsSpotLaunch(R) ? "spot" : "on-demand");
                if (subnet is not null)
                    keys.With("ec2:AvailabilityZone", subnet.AvailabilityZone);
                if (profileName is not null)
                    keys.With("ec2:InstanceProfile", InstanceProfileArn(R, profileName));
            });
            New("volume", keys: keys =>
            {
                if (subnet is not null)
                    keys.With("ec2:AvailabilityZone", subnet.AvailabilityZone);
            });
            New("network-interface", keys: keys =>
            {
                if (subnet is not null)
                    keys.With("ec2:Subnet", subnet.Arn).With("ec2:Vpc", R.Arn("vpc", subnet.VpcId)).With("ec2:AvailabilityZone", subnet.AvailabilityZone);
            });
            Existing(subnet);
            var groupIds = LaunchSecurityGroupIds(R);
            IEnumerable<SecurityGroup?> groups = groupIds.Count > 0 || subnet is null
                ? groupIds.Distinct(StringComparer.Ordinal).Select(R.Find<SecurityGroup>)
                : DefaultGroups(R, subnet.VpcId);
            foreach (var group in groups)
                Existing(group);
            if (R.P["ImageId"] is { } imageId && Ec2Catalog.FindImage(imageId) is { } image)
            {
                // The catalog's images are public: their ARN has no account, and they carry no tags.
                _checks.Add(AuthorizationCheck.Of(Action, $"arn:aws:ec2:{R.World.Region}::image/{image.ImageId}", Context()
                    .With("ec2:ImageID", image.ImageId).With("ec2:Public", "true").With("ec2:RootDeviceType", "ebs")));
            }
            ExistingKeyPair(KeyPairNamed(R.P["KeyName"]));
            if (IsSpotLaunch(R))
                New("spot-instances-request");
            // The local IAM's instance profiles each hold the role of the same name (see IamService).
            if (profileName is not null)
            {
                _passRoles.Add(AuthorizationCheck.Of("iam:PassRole", $"arn:aws:iam::{R.World.Account}:role/{profileName}",
                    AuthorizationContext.Empty().With("iam:PassedToService", "ec2.amazonaws.com")));
            }
            return this;
        }

        /// <summary>
        /// The EC2 condition keys the SAR gives each resource type on the actions that act on an
        /// existing one, limited to those this EC2 knows exactly (ids, ARNs of the VPC and subnet,
        /// zone, type, size).
        /// </summary>
        private Dictionary<string, IReadOnlyList<string>> WithResourceKeys(Dictionary<string, IReadOnlyList<string>> context, AwsResource resource)
        {
            switch (resource)
            {
                case Instance i:
                    context.With("ec2:InstanceID", i.Id).With("ec2:InstanceType", i.InstanceType).With("ec2:AvailabilityZone", i.AvailabilityZone)
                        .With("ec2:InstanceMarketType", i.IsSpot ? "spot" : "on-demand");
                    if (i.IamInstanceProfileArn is { } profile)
                        context.With("ec2:InstanceProfile", profile);
                    break;
                case Volume v:
                    context.With("ec2:VolumeID", v.Id).With("ec2:VolumeType", v.VolumeType)
                        .With("ec2:VolumeSize", v.SizeGiB.ToString(CultureInfo.InvariantCulture))
                        .With("ec2:Encrypted", v.Encrypted ? "true" : "false").With("ec2:AvailabilityZone", v.AvailabilityZone);
                    break;
                case Subnet s:
                    context.With("ec2:SubnetID", s.Id).With("ec2:Vpc", R.Arn("vpc", s.VpcId)).With("ec2:AvailabilityZone", s.AvailabilityZone);
                    break;
                case Vpc v:
                    context.With("ec2:VpcID", v.Id);
                    break;
                case SecurityGroup g:
                    context.With("ec2:SecurityGroupID", g.Id).With("ec2:Vpc", R.Arn("vpc", g.VpcId));
                    break;
                case RouteTable t:
                    context.With("ec2:RouteTableID", t.Id).With("ec2:Vpc", R.Arn("vpc", t.VpcId));
                    break;
                case InternetGateway g:
                    context.With("ec2:InternetGatewayID", g.Id);
                    break;
                case ElasticIp a:
                    context.With("ec2:AllocationId", a.Id).With("ec2:PublicIpAddress", a.PublicIp).With("ec2:Domain", "vpc");
                    break;
                case NetworkInterface n:
                    context.With("ec2:NetworkInterfaceID", n.Id).With("ec2:Subnet", R.Arn("subnet", n.SubnetId))
                        .With("ec2:Vpc", R.Arn("vpc", n.VpcId)).With("ec2:AvailabilityZone", n.AvailabilityZone);
                    break;
                case KeyPair k:
                    context.With("ec2:KeyPairName", k.KeyName).With("ec2:KeyPairType", k.KeyType);
                    break;
            }
            return context;
        }
    }
}

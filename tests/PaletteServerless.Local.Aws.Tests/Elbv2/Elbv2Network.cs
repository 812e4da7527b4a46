using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Elbv2;

/// <summary>A VPC with two subnets in two zones and a security group, built through the real EC2 SDK.</summary>
public sealed record Elbv2Network(string VpcId, string SubnetA, string SubnetB, string SecurityGroupId)
{
    public const string ImageId = "ami-0c7217cdde317cfec";

    /// <param name="afterEachCreate">Runs after each create, e.g. to let an eventual-consistency window pass.</param>
    public static async Task<Elbv2Network> CreateAsync(AmazonEC2Client ec2, Action? afterEachCreate = null)
    {
        var settle = afterEachCreate ?? (() => { });
        var vpc = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
        settle();
        var subnetA = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.0.1.0/24", AvailabilityZone = "us-east-1a" })).Subnet.SubnetId;
        settle();
        var subnetB = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.0.2.0/24", AvailabilityZone = "us-east-1b" })).Subnet.SubnetId;
        settle();
        var group = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "apiserver-lb", Description = "API server LB", VpcId = vpc })).GroupId;
        settle();
        return new Elbv2Network(vpc, subnetA, subnetB, group);
    }

    public async Task<string> RunInstanceAsync(AmazonEC2Client ec2)
    {
        var response = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = ImageId,
            InstanceType = InstanceType.T3Medium,
            MinCount = 1,
            MaxCount = 1,
            SubnetId = SubnetA,
        });
        return response.Reservation.Instances.Single().InstanceId;
    }
}

using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>DescribeInstanceAttribute as the SDK and the AWS CLI read it, and termination protection.</summary>
public sealed class Ec2InstanceAttributeTests : Ec2TestBase
{
    private const string Script = "#!/bin/bash\necho joined > /tmp/joined\n";

    private async Task<string> RunWithUserDataAsync(bool protect = false)
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instances = await RunAsync(subnetId, "t3.small", configure: request =>
        {
            request.UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(Script));
            request.DisableApiTermination = protect;
        });
        return instances.Single().InstanceId;
    }

    private Task<DescribeInstanceAttributeResponse> DescribeAsync(string instanceId, InstanceAttributeName attribute) =>
        Ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = instanceId, Attribute = attribute });

    [Fact]
    public async Task User_data_instance_type_and_termination_protection_read_back_through_the_sdk()
    {
        var instanceId = await RunWithUserDataAsync();

        var userData = (await DescribeAsync(instanceId, InstanceAttributeName.UserData)).InstanceAttribute;
        userData.InstanceId.Should().Be(instanceId);
        Encoding.UTF8.GetString(Convert.FromBase64String(userData.UserData)).Should().Be(Script);
        (await DescribeAsync(instanceId, InstanceAttributeName.InstanceType)).InstanceAttribute.InstanceType.Should().Be("t3.small");
        (await DescribeAsync(instanceId, InstanceAttributeName.DisableApiTermination)).InstanceAttribute.DisableApiTermination.Should().BeFalse();
    }

    [Fact]
    public async Task An_instance_without_user_data_has_none_and_unknown_ids_or_attributes_are_refused()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instanceId = (await RunAsync(subnetId)).Single().InstanceId;

        (await DescribeAsync(instanceId, InstanceAttributeName.UserData)).InstanceAttribute.UserData.Should().BeNullOrEmpty();
        (await FailsWith("InvalidInstanceID.NotFound", () => DescribeAsync("i-0123456789abcdef0", InstanceAttributeName.UserData)))
            .Message.Should().Be("The instance ID 'i-0123456789abcdef0' does not exist");
        (await FailsWith("InvalidParameterValue", () => DescribeAsync(instanceId, new InstanceAttributeName("colour"))))
            .Message.Should().Be("Value (colour) for parameter attribute is invalid. Unknown attribute.");
    }

    [Fact]
    public async Task An_instance_runs_with_a_known_instance_profile_and_an_unknown_one_is_refused_as_EC2_does()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        var instance = (await RunAsync(subnetId, configure: r => r.IamInstanceProfile = new IamInstanceProfileSpecification { Name = "PaletteServerlessWorker" })).Single();

        (await DescribeInstanceAsync(instance.InstanceId)).IamInstanceProfile.Arn.Should().EndWith(":instance-profile/PaletteServerlessWorker");
        (await FailsWith("InvalidParameterValue", () => RunAsync(subnetId, configure: r => r.IamInstanceProfile = new IamInstanceProfileSpecification { Name = "NoSuchProfile" })))
            .Message.Should().Be("Value (NoSuchProfile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name");
        (await FailsWith("InvalidParameterCombination", () => RunAsync(subnetId, configure: r => r.IamInstanceProfile = new IamInstanceProfileSpecification
        {
            Name = "PaletteServerlessWorker", Arn = "arn:aws:iam::000000000000:instance-profile/PaletteServerlessWorker",
        }))).Should().NotBeNull();
    }

    [Fact]
    public async Task A_protected_instance_is_not_terminated()
    {
        var instanceId = await RunWithUserDataAsync(protect: true);

        (await DescribeAsync(instanceId, InstanceAttributeName.DisableApiTermination)).InstanceAttribute.DisableApiTermination.Should().BeTrue();
        (await FailsWith("OperationNotPermitted", () => Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] })))
            .Message.Should().Be($"The instance '{instanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        (await DescribeInstanceAsync(instanceId)).State.Name.Should().Be(InstanceStateName.Pending);
    }

    [Fact]
    public async Task The_aws_cli_reads_user_data_and_instance_type()
    {
        var instanceId = await RunWithUserDataAsync();

        var userData = AwsCli.RunAsync(Host, "test", "ec2", "describe-instance-attribute", "--instance-id", instanceId, "--attribute", "userData");
        var type = AwsCli.RunAsync(Host, "test", "ec2", "describe-instance-attribute", "--instance-id", instanceId, "--attribute", "instanceType");
        var read = await userData;
        read.ExitCode.Should().Be(0, read.StandardError);
        Encoding.UTF8.GetString(Convert.FromBase64String(read.Json.GetProperty("UserData").GetProperty("Value").GetString()!)).Should().Be(Script);
        (await type).Json.GetProperty("InstanceType").GetProperty("Value").GetString().Should().Be("t3.small");
    }
}

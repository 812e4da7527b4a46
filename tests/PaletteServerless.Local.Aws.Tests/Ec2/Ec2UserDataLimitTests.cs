using System.Text;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>EC2's user data limit: 16 KB (16384 bytes) of raw data, counted after base64 decoding.</summary>
public sealed class Ec2UserDataLimitTests : Ec2TestBase
{
    private static string Encoded(int bytes) => Convert.ToBase64String(Encoding.ASCII.GetBytes(new string('x', bytes)));

    [Fact]
    public async Task User_data_of_16384_bytes_launches_and_one_byte_more_is_refused_as_ec2_refuses_it()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        // The encoded form of the largest allowed user data is about 21.8 KB: the limit is on the decoded bytes.
        var largest = (await RunAsync(subnetId, configure: r => r.UserData = Encoded(16384))).Single();
        var error = await FailsWith("InvalidParameterValue", () => RunAsync(subnetId, configure: r => r.UserData = Encoded(16385)));

        error.Message.Should().Be("User data is limited to 16384 bytes");
        (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.SelectMany(r => r.Instances)
            .Select(i => i.InstanceId).Should().Equal([largest.InstanceId], "a refused launch starts nothing");
    }

    [Fact]
    public async Task User_data_that_is_not_base64_is_refused()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        var error = await FailsWith("InvalidParameterValue", () => RunAsync(subnetId, configure: r => r.UserData = "#cloud-config\nruncmd: []"));

        error.Message.Should().Contain("BASE64");
    }
}

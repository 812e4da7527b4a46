using System.Text;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Ec2;

namespace PaletteServerless.Local.Aws.Tests.Core;

public sealed class QueryProtocolTests
{
    [Fact]
    public void Form_parameters_give_ec2_lists_member_lists_and_structures()
    {
        var parameters = QueryParameters.Parse(
            "Action=DescribeVpcs&VpcId.2=vpc-b&VpcId.1=vpc-a&Subnets.member.1=subnet-1&Subnets.member.2=subnet-2"
            + "&Filter.1.Name=tag%3AName&Filter.1.Value.1=c1-*&Filter.1.Value.2=x+y&Filter.2.Name=state&Filter.2.Value.1=available");

        parameters["Action"].Should().Be("DescribeVpcs");
        parameters.List("VpcId").Should().Equal("vpc-a", "vpc-b");
        parameters.MemberList("Subnets").Should().Equal("subnet-1", "subnet-2");
        var filters = parameters.Structures("Filter");
        filters.Should().HaveCount(2);
        filters[0]["Name"].Should().Be("tag:Name");
        filters[0].List("Value").Should().Equal("c1-*", "x y");
        parameters.Fingerprint("Action").Should().NotContain("Action=");
    }

    [Fact]
    public void Credential_scope_selects_account_and_region()
    {
        static SigV4Credential? Credential(string authorization) =>
            SigV4Credential.From(LocalAwsRequest.Create("POST", "/", "", [new("authorization", authorization)], []));

        var numeric = Credential("AWS4-HMAC-SHA256 Credential=111122223333/20261124/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=x");
        numeric!.AccountFromKey.Should().Be("111122223333");
        numeric.Region.Should().Be("eu-west-1");
        numeric.Service.Should().Be("ec2");
        Credential("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261124/us-east-1/sts/aws4_request, Signature=x")!.AccountFromKey.Should().Be("000000000000");
        Credential("Basic dXNlcjpwYXNz").Should().BeNull();
    }

    [Theory]
    [InlineData("c1-*", "c1-vpc", true)]
    [InlineData("c1-*", "c2-vpc", false)]
    [InlineData("*-vpc", "c1-vpc", true)]
    [InlineData("c?-vpc", "c1-vpc", true)]
    [InlineData("c?-vpc", "c10-vpc", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "Exact", false)]
    public void Filter_values_match_with_ec2_wildcards(string pattern, string value, bool matches) =>
        Ec2Filters.Matches(pattern, value).Should().Be(matches);

    [Fact]
    public void Errors_are_written_in_each_protocol_format_with_escaped_text()
    {
        var error = new AwsErrorException("InvalidParameterValue", "Value <x> & 'y'");

        var ec2 = AwsErrors.Format(error, AwsErrorStyle.Ec2, "req-1");
        var query = AwsErrors.Format(error, AwsErrorStyle.Query, "req-2", "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/");
        var json = AwsErrors.Format(error, AwsErrorStyle.Json, "req-3", jsonContentType: "application/x-amz-json-1.0");

        ec2.BodyText.Should().Contain("<Errors><Error><Code>InvalidParameterValue</Code><Message>Value &lt;x&gt; &amp; &apos;y&apos;</Message>").And.Contain("<RequestID>req-1</RequestID>");
        query.BodyText.Should().Contain("<Type>Sender</Type>").And.Contain("<RequestId>req-2</RequestId>");
        json.ContentType.Should().Be("application/x-amz-json-1.0");
        Encoding.UTF8.GetString(json.Body).Should().Contain("\"__type\":\"InvalidParameterValue\"");
    }
}

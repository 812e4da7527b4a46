using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>The evaluator's cache shares an answer only between requests the policies cannot tell apart.</summary>
public sealed class PolicyShapeTests
{
    private static readonly PolicyShape Shape = PolicyShape.Of([JsonNode.Parse("""
        {"Statement":[
          {"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"arn:aws:ec2:*:111122223333:instance/*",
           "Condition":{"Null":{"aws:ResourceTag/owner":"false"}}},
          {"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:*:111122223333:parameter/app/*",
           "Condition":{"StringEquals":{"ssm:resourceTag/vpc":"${aws:ec2InstanceSourceVPC}"}}}]}
        """)]);

    private static AuthorizationCheck Check(string resource, params (string Key, string Value)[] context) =>
        AuthorizationCheck.Of("ec2:TerminateInstances", resource, context.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)[c.Value]));

    [Fact]
    public void Requests_that_differ_only_in_what_no_statement_reads_share_a_key()
    {
        Shape.KeyOf(Check("arn:aws:ec2:us-east-1:111122223333:instance/i-1", ("aws:ResourceTag/owner", "a"), ("ec2:Region", "us-east-1")))
            .Should().Be(Shape.KeyOf(Check("arn:aws:ec2:us-east-1:111122223333:instance/i-2", ("aws:ResourceTag/owner", "b"))),
                "the same patterns match, the tag is read only for presence, the region by no statement");
    }

    [Fact]
    public void Requests_the_policies_can_tell_apart_do_not()
    {
        var tagged = Shape.KeyOf(Check("arn:aws:ec2:us-east-1:111122223333:instance/i-1", ("aws:ResourceTag/owner", "a")));
        Shape.KeyOf(Check("arn:aws:ec2:us-east-1:111122223333:instance/i-1")).Should().NotBe(tagged, "the tag's presence is read");
        Shape.KeyOf(Check("arn:aws:ec2:us-east-1:444455556666:instance/i-1", ("aws:ResourceTag/owner", "a"))).Should().NotBe(tagged, "another pattern matches");
        Shape.KeyOf(Check("arn:aws:ssm:us-east-1:111122223333:parameter/app/ca", ("ssm:resourceTag/vpc", "vpc-1"), ("aws:ec2InstanceSourceVPC", "vpc-1")))
            .Should().NotBe(Shape.KeyOf(Check("arn:aws:ssm:us-east-1:111122223333:parameter/app/ca", ("ssm:resourceTag/vpc", "vpc-1"), ("aws:ec2InstanceSourceVPC", "vpc-2"))),
                "a key a condition compares, or a variable names, is read by value");
    }

    [Fact]
    public void A_resource_pattern_with_a_variable_is_read_as_whether_the_resource_matches_it_with_the_requests_values()
    {
        var shape = PolicyShape.Of([JsonNode.Parse("""
            {"Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::backup-*-${aws:PrincipalTag/uid}/*"}]}
            """)]);
        AuthorizationCheck Put(string bucket, string? uid) => AuthorizationCheck.Of("s3:PutObject", $"arn:aws:s3:::{bucket}/velero/x",
            uid is null ? [] : new Dictionary<string, IReadOnlyList<string>> { ["aws:PrincipalTag/uid"] = [uid] });

        var own = shape.KeyOf(Put("backup-vpc1-aaa", "aaa"));
        shape.KeyOf(Put("backup-vpc2-bbb", "bbb")).Should().Be(own, "each session writes its own bucket: the same answer, shared");
        shape.KeyOf(Put("backup-vpc1-aaa", "bbb")).Should().NotBe(own, "another cluster's bucket does not match the pattern");
        shape.KeyOf(Put("backup-vpc1-aaa", null)).Should().NotBe(own, "with no value the pattern matches nothing");
        shape.KeyOf(Put("backup-vpc1-aaa", null)).Should().NotBe(shape.KeyOf(Put("backup-vpc1-aaa", "bbb")));
    }

    [Fact]
    public void A_key_compared_only_for_equality_with_one_variable_is_read_as_equal_or_not()
    {
        var vpc = (string resourceVpc, string sourceVpc) => Shape.KeyOf(Check("arn:aws:ssm:us-east-1:111122223333:parameter/app/ca",
            ("ssm:resourceTag/vpc", resourceVpc), ("aws:ec2InstanceSourceVPC", sourceVpc)));
        vpc("vpc-1", "vpc-1").Should().Be(vpc("vpc-2", "vpc-2"), "each names its own VPC: the answer is the same");
        vpc("vpc-1", "vpc-2").Should().NotBe(vpc("vpc-1", "vpc-1"), "another VPC's parameter");
        Shape.KeyOf(Check("arn:aws:ssm:us-east-1:111122223333:parameter/app/ca", ("aws:ec2InstanceSourceVPC", "vpc-1")))
            .Should().NotBe(vpc("vpc-1", "vpc-1"), "a parameter without the tag");

        // Read by value anywhere else, the key keeps its values.
        var both = PolicyShape.Of([JsonNode.Parse("""
            {"Statement":[
              {"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEquals":{"ssm:resourceTag/vpc":"${aws:ec2InstanceSourceVPC}"}}},
              {"Effect":"Deny","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEquals":{"ssm:resourceTag/vpc":"vpc-9"}}}]}
            """)]);
        var check = (string value) => both.KeyOf(Check("arn:aws:ssm:us-east-1:111122223333:parameter/app/ca", ("ssm:resourceTag/vpc", value), ("aws:ec2InstanceSourceVPC", value)));
        check("vpc-9").Should().NotBe(check("vpc-1"), "the deny reads the tag's value");
    }
}

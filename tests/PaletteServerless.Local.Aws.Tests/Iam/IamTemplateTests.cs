using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>The local IAM reads a synthesized template's roles and policies with CloudFormation's intrinsic functions resolved.</summary>
public sealed class IamTemplateTests
{
    private const string Template = """
        {
          "Parameters": { "Tenant": { "Type": "String" } },
          "Conditions": { "HasTopic": { "Fn::Not": [ { "Fn::Equals": [ { "Ref": "Topic" }, "" ] } ] } },
          "Resources": {
            "Table": { "Type": "AWS::DynamoDB::Table", "Properties": {} },
            "Machine": { "Type": "AWS::StepFunctions::StateMachine", "Properties": { "StateMachineName": "palette-provision", "RoleArn": { "Fn::GetAtt": [ "MachineRole", "Arn" ] } } },
            "Key": { "Type": "AWS::KMS::Key", "Properties": { "KeyPolicy": { "Statement": [ { "Effect": "Allow", "Principal": { "AWS": { "Fn::Join": [ "", [ "arn:", { "Ref": "AWS::Partition" }, ":iam::", { "Ref": "AWS::AccountId" }, ":root" ] ] } }, "Action": "kms:*", "Resource": "*" } ] } } },
            "KeyAlias": { "Type": "AWS::KMS::Alias", "Properties": { "AliasName": "alias/secrets", "TargetKeyId": { "Fn::GetAtt": [ "Key", "Arn" ] } } },
            "ApiRole": { "Type": "AWS::IAM::Role", "Metadata": { "aws:cdk:path": "Stack/ApiRole/Resource" },
              "Properties": { "AssumeRolePolicyDocument": { "Statement": [ { "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" } ] } } },
            "ApiRoleDefaultPolicy": { "Type": "AWS::IAM::Policy", "Properties": { "PolicyName": "ApiRoleDefaultPolicy", "Roles": [ { "Ref": "ApiRole" } ],
              "PolicyDocument": { "Statement": [
                { "Sid": "Table", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": { "Fn::GetAtt": [ "Table", "Arn" ] } },
                { "Sid": "Executions", "Effect": "Allow", "Action": "states:DescribeExecution", "Resource": { "Fn::Join": [ "", [ "arn:aws:states:us-east-1:", { "Ref": "AWS::AccountId" }, ":execution:", { "Fn::Select": [ 6, { "Fn::Split": [ ":", { "Ref": "Machine" } ] } ] }, ":*" ] ] } },
                { "Sid": "Secrets", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": { "Fn::Sub": "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/palette-serverless/${Tenant}/*" } },
                { "Sid": "Key", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": { "Fn::If": [ "HasTopic", "arn:aws:kms:::never", { "Fn::GetAtt": [ "Key", "Arn" ] } ] } }
              ] } } },
            "NodeRole": { "Type": "AWS::IAM::Role", "Properties": { "RoleName": "Worker", "Path": "/nodes/", "AssumeRolePolicyDocument": {},
              "ManagedPolicyArns": [ { "Ref": "NodePolicy" } ],
              "Policies": [ { "PolicyName": "Inline", "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "${ec2:SourceInstanceARN}" } ] } } ] } },
            "NodePolicy": { "Type": "AWS::IAM::ManagedPolicy", "Properties": { "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*" } ] } } },
            "NodeOverflow": { "Type": "AWS::IAM::ManagedPolicy", "Properties": { "Roles": [ { "Ref": "NodeRole" } ], "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*" } ] } } },
            "MachineRole": { "Type": "AWS::IAM::Role", "Properties": { "AssumeRolePolicyDocument": {} } }
          }
        }
        """;

    private static IamTemplate Read() => new(JsonNode.Parse(Template)!, "Stack", "111122223333", "eu-west-1",
        new Dictionary<string, string> { ["Tenant"] = "acme", ["Topic"] = "" },
        (id, type) => type == "AWS::DynamoDB::Table" ? "palette-serverless" : null);

    [Fact]
    public void Policies_attached_to_a_role_are_read_with_every_token_resolved_for_the_account_and_region()
    {
        var api = Read().Roles().Single(r => r.LogicalId == "ApiRole");
        api.Name.Should().Be("Stack-ApiRole", "CloudFormation names an unnamed role after the stack");
        api.ArnIn("111122223333").Should().Be("arn:aws:iam::111122223333:role/Stack-ApiRole");
        var statements = api.Policies.Single().Document["Statement"]!.AsArray();
        string Resource(string sid) => statements.Single(s => (string?)s!["Sid"] == sid)!["Resource"]!.GetValue<string>();
        Resource("Table").Should().Be("arn:aws:dynamodb:eu-west-1:111122223333:table/palette-serverless");
        Resource("Executions").Should().Be("arn:aws:states:us-east-1:111122223333:execution:palette-provision:*");
        Resource("Secrets").Should().Be("arn:aws:ssm:*:111122223333:parameter/palette-serverless/acme/*");
        Resource("Key").Should().StartWith("arn:aws:kms:eu-west-1:111122223333:key/", "the condition is false: no topic");
    }

    [Fact]
    public void A_named_role_keeps_its_path_its_inline_and_its_managed_policies_however_attached_and_policy_variables_are_left_for_iam()
    {
        var node = Read().Roles().Single(r => r.LogicalId == "NodeRole");
        node.ArnIn("111122223333").Should().Be("arn:aws:iam::111122223333:role/nodes/Worker");
        node.Policies.Select(p => p.Name).Should().BeEquivalentTo(["Inline", "NodeOverflow", "NodePolicy"],
            "a managed policy attaches by the role's ManagedPolicyArns or by its own Roles (CDK's overflow policies)");
        node.Policies[0].Document["Statement"]![0]!["Resource"]!.GetValue<string>().Should().Be("${ec2:SourceInstanceARN}");
    }

    [Fact]
    public void A_key_is_read_with_its_aliases_and_policy()
    {
        var (arn, aliases, policy) = Read().KeyPolicies().Single();
        aliases.Should().Equal("alias/secrets");
        arn.Should().MatchRegex("^arn:aws:kms:eu-west-1:111122223333:key/[0-9a-f-]{36}$");
        policy["Statement"]![0]!["Principal"]!["AWS"]!.GetValue<string>().Should().Be("arn:aws:iam::111122223333:root");
    }

    [Fact]
    public void A_reference_to_nothing_the_template_defines_is_an_error_naming_it()
    {
        var broken = JsonNode.Parse("""{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Ref":"Missing"}}}}}""")!;
        FluentActions.Invoking(() => new IamTemplate(broken, "Stack", "111122223333", "eu-west-1").Roles())
            .Should().Throw<InvalidDataException>().WithMessage("*Missing*");
    }
}

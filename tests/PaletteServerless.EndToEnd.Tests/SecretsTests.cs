using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Issue 13's secrets: the CA key, the certificate key and the join token live only in SSM
/// Parameter Store under the cluster's path, as SecureStrings under the product's KMS key; the
/// table and every node's user data hold none of them; nodes run with the node instance profile;
/// the delete removes the parameters.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class SecretsTests(LocalStackFixture stack)
{
    [Fact]
    public async Task Secrets_live_in_the_clusters_parameters_and_neither_the_table_nor_the_user_data_holds_them()
    {
        var scenario = await Scenario.StartAsync(stack, "secrets");
        var uid = (await scenario.CreateAsync(Scenario.Cluster("vault")
            .Replace("\"name\":\"cp\",\"role\":\"control-plane\",\"count\":1", "\"name\":\"cp\",\"role\":\"control-plane\",\"count\":3")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("vault", "Running");

        using var ssm = Ssm();
        var path = $"/palette-serverless/acme/{uid}";
        var stored = (await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = path, Recursive = true, WithDecryption = true })).Parameters;
        // Beside the secrets, the desired in-cluster state the control planes' agent reads: a String, nothing secret in it.
        stored.Select(p => p.Name).Should().BeEquivalentTo([$"{path}/ca", $"{path}/certificate-key", $"{path}/join-token", $"{path}/{DesiredState.Parameter}"]);
        stored.Where(p => !p.Name.EndsWith("/" + DesiredState.Parameter, StringComparison.Ordinal)).Should().OnlyContain(p => p.Type == ParameterType.SecureString);
        var caKey = stored.Single(p => p.Name.EndsWith("/ca", StringComparison.Ordinal)).Value;
        caKey.Should().Contain("-----BEGIN PRIVATE KEY-----");
        var privateKey = caKey[caKey.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal)..].Split('\n')[1];
        var token = stored.Single(p => p.Name.EndsWith("/join-token", StringComparison.Ordinal)).Value;
        var certificateKey = stored.Single(p => p.Name.EndsWith("/certificate-key", StringComparison.Ordinal)).Value;
        token.Should().MatchRegex("^[a-z0-9]{6}\\.[a-z0-9]{16}$");

        // Not in the table: every item of it, as text.
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("000000000000", "e2e"), new AmazonDynamoDBConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var table = new StringBuilder();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = TableSchema.DefaultTableName, ExclusiveStartKey = start });
            foreach (var item in page.Items)
                foreach (var value in item.Values)
                    table.Append(value.S).Append(value.N).Append('\n');
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        table.ToString().Should().Contain(uid, "the scan reads the cluster's items").And.NotContain(token).And.NotContain(certificateKey).And.NotContain(privateKey);

        // Not in any node's user data, as EC2 hands it out; control planes and workers run with their own instance profiles.
        using var ec2 = stack.Ec2();
        var instances = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Amazon.EC2.Model.Filter("tag:palette.serverless/cluster-uid", [uid])] }))
            .Reservations.SelectMany(r => r.Instances).ToList();
        instances.Should().HaveCount(4, "three control planes (one init, two joins) and a worker");
        foreach (var instance in instances)
        {
            var role = instance.Tags.Single(t => t.Key == "sigs.k8s.io/cluster-api-provider-aws/role").Value;
            instance.IamInstanceProfile.Arn.Should().Be("arn:aws:iam::000000000000:instance-profile/"
                + (role == "controlplane" ? SecretParameters.ControlPlaneInstanceProfileName : SecretParameters.WorkerInstanceProfileName));
            var encoded = (await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = instance.InstanceId, Attribute = "userData" })).InstanceAttribute.UserData;
            var userData = PaletteServerless.Local.Aws.Ec2.UserDataDocument.Text(encoded);
            userData.Should().Contain($"PALETTE_SECRETS_PATH='{path}'").And.NotContain(token).And.NotContain(certificateKey).And.NotContain(privateKey).And.NotContain("-----BEGIN PRIVATE KEY-----");
        }

        // The API signs kubeconfigs with the CA it reads from the same parameter, through the cloud session.
        var issued = System.Text.Json.Nodes.JsonNode.Parse(await scenario.Api.GetStringAsync("/v1/projects/secrets/clusters/vault/kubeconfig"))!;
        var certificate = caKey[..(caKey.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length)];
        issued["kubeconfig"]!.GetValue<string>().Should().Contain(Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.Trim() + "\n")));
        issued["group"]!.GetValue<string>().Should().Be("palette:cluster-admins");

        (await scenario.DeleteAsync("vault")).StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("vault", "Deleted");
        (await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = path, Recursive = true })).Parameters.Should().BeEmpty("the delete removes the cluster's parameters");
    }

    private AmazonSimpleSystemsManagementClient Ssm() =>
        new(new BasicAWSCredentials("000000000000", "e2e"), new AmazonSimpleSystemsManagementConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
}

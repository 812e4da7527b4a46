using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Aws.Tests.Clients;

public class AwsEndpointResolverTests
{
    [Theory]
    [InlineData("SFN", "AWS_ENDPOINT_URL_SFN")]
    [InlineData("EventBridge", "AWS_ENDPOINT_URL_EVENTBRIDGE")]
    [InlineData("Elastic Load Balancing v2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2")]
    [InlineData("Resource Groups Tagging API", "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API")]
    public void Service_variable_is_the_upper_cased_service_id_with_underscores(string serviceId, string variable)
    {
        new AwsService(serviceId, "x", "x").EndpointEnvironmentVariable.Should().Be(variable);
    }

    [Fact]
    public void Service_specific_variable_wins_over_the_global_one()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_SFN"] = "http://127.0.0.1:4566",
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9999",
        };

        AwsEndpointResolver.Resolve(AwsService.StepFunctions, "us-east-1", environment.GetValueOrDefault)
            .Should().Be(new Uri("http://127.0.0.1:4566"));
        AwsEndpointResolver.Resolve(AwsService.EventBridge, "us-east-1", environment.GetValueOrDefault)
            .Should().Be(new Uri("http://127.0.0.1:9999"));
    }

    [Fact]
    public void Without_variables_the_regional_endpoint_is_used()
    {
        var none = new Dictionary<string, string>();

        AwsEndpointResolver.Resolve(AwsService.ElasticLoadBalancingV2, "eu-west-1", none.GetValueOrDefault)
            .Should().Be(new Uri("https://elasticloadbalancing.eu-west-1.amazonaws.com/"));
        AwsEndpointResolver.Resolve(AwsService.ResourceGroupsTagging, "cn-north-1", none.GetValueOrDefault)
            .Should().Be(new Uri("https://tagging.cn-north-1.amazonaws.com.cn/"));
    }

    [Fact]
    public void Ignore_flag_switches_the_variables_off()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
            ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true",
        };

        AwsEndpointResolver.Resolve(AwsService.StepFunctions, "us-west-2", environment.GetValueOrDefault)
            .Should().Be(new Uri("https://states.us-west-2.amazonaws.com/"));
    }
}

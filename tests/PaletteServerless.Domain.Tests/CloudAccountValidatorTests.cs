using PaletteServerless.Domain.CloudAccounts;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

public class CloudAccountValidatorTests
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/PaletteServerless";

    private static IEnumerable<string> Errors(CloudAccount account) => ErrorsOf(() => CloudAccountValidator.Validate(account)).Fields();

    [Fact]
    public void An_account_without_a_role_means_the_products_own_account()
    {
        Errors(new CloudAccount { Name = "local" }).Should().BeEmpty();
        new CloudAccount { Name = "local" }.AccountId.Should().BeNull();
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/PaletteServerless")]
    [InlineData("arn:aws:iam::123456789012:role/path/to/Role+=,.@-_")]
    [InlineData("arn:aws-cn:iam::123456789012:role/r")]
    [InlineData("arn:aws-us-gov:iam::123456789012:role/r")]
    public void Role_arns_are_accepted(string arn)
    {
        Errors(new CloudAccount { Name = "prod", RoleArn = arn }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("arn:aws:iam::12345678901:role/r")]
    [InlineData("arn:aws:iam::123456789012:user/alice")]
    [InlineData("arn:aws:sts::123456789012:role/r")]
    [InlineData("arn:aws:iam::123456789012:role/")]
    [InlineData("arn:aws:iam:us-east-1:123456789012:role/r")]
    [InlineData("PaletteServerless")]
    [InlineData("")]
    public void Anything_but_an_iam_role_arn_is_refused(string arn)
    {
        Errors(new CloudAccount { Name = "prod", RoleArn = arn }).Should().Equal("roleArn");
    }

    [Fact]
    public void Account_id_comes_from_the_role_arn()
    {
        new CloudAccount { Name = "prod", RoleArn = RoleArn }.AccountId.Should().Be("123456789012");
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("tenant-42:palette@example.com/x+=,.")]
    [InlineData("the-id-of-another-tenant")]
    public void A_caller_never_chooses_the_external_id(string externalId)
    {
        Errors(new CloudAccount { Name = "prod", RoleArn = RoleArn, ExternalId = externalId }).Should().Equal("externalId");
        Errors(new CloudAccount { Name = "prod", ExternalId = externalId }).Should().Equal("externalId");
    }

    [Fact]
    public void Name_is_a_dns_label_of_at_most_63()
    {
        Errors(new CloudAccount { Name = null }).Should().Equal("name");
        Errors(new CloudAccount { Name = "a" }).Should().BeEmpty();
        Errors(new CloudAccount { Name = new string('a', 63) }).Should().BeEmpty();
        Errors(new CloudAccount { Name = new string('a', 64) }).Should().Equal("name");
        Errors(new CloudAccount { Name = "Prod" }).Should().Equal("name");
    }
}

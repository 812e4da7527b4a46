using PaletteServerless.Aws.Cloud;

namespace PaletteServerless.Aws.Tests.Cloud;

public class OnDemandVcpuQuotaTests
{
    [Theory]
    [InlineData("m5.large", true)]
    [InlineData("c7gn.xlarge", true)]
    [InlineData("t3.micro", true)]
    [InlineData("i3.large", true)]
    [InlineData("z1d.large", true)]
    [InlineData("a1.medium", true)]
    [InlineData("g4dn.xlarge", false)]
    [InlineData("p3.2xlarge", false)]
    [InlineData("inf2.xlarge", false)]
    [InlineData("trn1.2xlarge", false)]
    [InlineData("x2iedn.xlarge", false)]
    [InlineData("mac1.metal", false)]
    [InlineData("hpc7a.96xlarge", false)]
    [InlineData("dl1.24xlarge", false)]
    public void Only_the_A_C_D_H_I_M_R_T_Z_families_count(string instanceType, bool standard) =>
        OnDemandVcpuQuota.IsStandard(instanceType).Should().Be(standard);

    [Fact]
    public void A_cluster_that_fits_in_what_is_left_has_no_problem() =>
        OnDemandVcpuQuota.Problem(needed: 28, used: 4, quota: 32).Should().BeNull();

    [Fact]
    public void A_cluster_over_what_is_left_names_the_numbers_and_the_quota() =>
        OnDemandVcpuQuota.Problem(needed: 12, used: 28, quota: 32).Should()
            .StartWith("quota: needs 12 vCPUs of on-demand standard instances, 4 of 32 left (quota L-1216C47A)");

    [Fact]
    public void Usage_above_the_quota_leaves_nothing() =>
        OnDemandVcpuQuota.Problem(needed: 2, used: 40, quota: 32).Should().Contain("0 of 32 left");
}

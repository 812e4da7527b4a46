namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>AWS's default quotas per account and region (aws-facts section 4); the vCPU quota is an option.</summary>
public static class Ec2Quotas
{
    public const int Vpcs = 5;
    public const int ElasticIps = 5;
    public const int InternetGateways = 5;
    public const int NatGatewaysPerZone = 5;
}

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>AWS's default quotas per account and region (Amazon EC2 User Guide, "Amazon EC2 service quotas"; Amazon VPC User Guide, "Amazon VPC quotas"); the vCPU quota is an option.</summary>
public static class Ec2Quotas
{
    public const int Vpcs = 5;
    public const int ElasticIps = 5;
    public const int InternetGateways = 5;
    public const int NatGatewaysPerZone = 5;
}

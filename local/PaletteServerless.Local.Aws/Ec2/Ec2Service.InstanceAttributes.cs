using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

// DescribeInstanceAttribute, for the attributes this local EC2 models.
public sealed partial class Ec2Service
{
    // The attributes DescribeInstanceAttribute may name (the EC2 model's InstanceAttributeName enum).
    private static readonly HashSet<string> InstanceAttributeNames = new(StringComparer.Ordinal)
    {
        "instanceType", "kernel", "ramdisk", "userData", "disableApiTermination", "instanceInitiatedShutdownBehavior",
        "rootDeviceName", "blockDeviceMapping", "productCodes", "sourceDestCheck", "groupSet", "ebsOptimized",
        "sriovNetSupport", "enaSupport", "enclaveOptions", "disableApiStop",
    };

    /// <summary>
    /// One attribute of one instance, in EC2's shape: the attribute's element holding a
    /// <c>value</c> (user data base64-encoded, as it was given). Only the attributes this local EC2
    /// models are answered; the others are refused rather than invented.
    /// </summary>
    private static LocalAwsResponse DescribeInstanceAttribute(Ec2Request r)
    {
        var attribute = r.P["Attribute"] ?? throw new AwsErrorException("MissingParameter", "The request must contain the parameter Attribute");
        if (!InstanceAttributeNames.Contains(attribute))
            throw new AwsErrorException("InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid. Unknown attribute.");
        var id = r.P["InstanceId"] ?? throw new AwsErrorException("MissingParameter", "The request must contain the parameter InstanceId");
        var instance = r.FindVisible<Instance>(id) ?? throw Ec2Request.NotFound("InvalidInstanceID.NotFound", "instance", id);
        Action<XmlBuilder> writeAttribute = attribute switch
        {
            "userData" => x => _ = instance.UserData is null ? x.Raw("<userData/>") : x.Open("userData").Element("value", instance.UserData).Close(),
            "instanceType" => x => x.Open("instanceType").Element("value", instance.InstanceType).Close(),
            "disableApiTermination" => x => x.Open("disableApiTermination").Element("value", instance.DisableApiTermination).Close(),
            "disableApiStop" => x => x.Open("disableApiStop").Element("value", instance.DisableApiStop).Close(),
            "groupSet" => x => x.List("groupSet", instance.SecurityGroupIds, (x, g) => x.Element("groupId", g)),
            _ => throw new AwsErrorException("UnsupportedOperation", $"The local EC2 does not model the instance attribute {attribute}."),
        };
        return r.Respond(x => writeAttribute(x.Element("instanceId", instance.Id)));
    }
}

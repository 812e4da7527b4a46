namespace PaletteServerless.Manifest;

/// <summary>
/// The EC2 events the product reacts to, as EC2 sends them to EventBridge (Amazon EC2 User Guide: instance
/// state-change events and spot instance interruption notices). The event rules (<see cref="EventRuleCatalog"/>)
/// match them and their target tells them apart by these names; the local EC2 sends the same names from its own
/// model of EC2, and a test holds the two together.
/// </summary>
public static class Ec2EventTypes
{
    public const string Source = "aws.ec2";

    /// <summary>Sent for every state an instance enters, whatever made it change.</summary>
    public const string InstanceStateChange = "EC2 Instance State-change Notification";

    /// <summary>The two-minute warning before EC2 reclaims a spot instance.</summary>
    public const string SpotInterruptionWarning = "EC2 Spot Instance Interruption Warning";
}

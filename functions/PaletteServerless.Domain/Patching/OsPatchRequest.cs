using System.Text.Json;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Patching;

/// <summary>
/// The cluster's OS patch request: one SSM String parameter beside its secrets (<see cref="ParameterName"/>) that every
/// node's patch agent reads (<see cref="OsPatchAgent"/>): the run, and the instances that are to patch now. A node
/// applies the run once when its instance is listed; the product lists each node only while its turn lasts, so how
/// many patch at once is the product's decision (<see cref="OsPatchPlanner"/>), never the nodes'.
/// </summary>
public static class OsPatchRequest
{
    /// <summary>The parameter's name below the cluster's path.</summary>
    public const string Parameter = "os-patch";

    public static string ParameterName(Cluster cluster) => SecretParameters.NameOf(cluster, Parameter);

    /// <summary>The value: <c>{"run":"RUN","instances":["i-...",...]}</c> (no instance: nothing to do now).</summary>
    public static string Render(string run, IEnumerable<string> instances)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("run", run);
            json.WriteStartArray("instances");
            foreach (var instance in instances)
                json.WriteStringValue(instance);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

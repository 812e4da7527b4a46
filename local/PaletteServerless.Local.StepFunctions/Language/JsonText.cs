using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>Parses and prints JSON the way the engine needs it.</summary>
public static class JsonText
{
    // Newtonsoft turns ISO-8601 strings into DateTime by default, which would change
    // "2016-03-14T01:59:00Z" into another text when printed back; ASL data must stay as given.
    private static readonly JsonSerializerSettings Settings = new()
    {
        DateParseHandling = DateParseHandling.None,
        FloatParseHandling = FloatParseHandling.Double,
    };

    public static JToken Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
        };
        var token = JToken.ReadFrom(reader);
        // Trailing content after the first value is not JSON.
        if (reader.Read())
            throw new JsonReaderException($"Unexpected content after the JSON value at position {reader.LinePosition}.");
        return token;
    }

    public static bool TryParse(string json, out JToken token)
    {
        try
        {
            token = Parse(json);
            return true;
        }
        catch (JsonException)
        {
            token = JValue.CreateNull();
            return false;
        }
    }

    public static string Print(JToken token) => token.ToString(Formatting.None);

    public static JsonSerializerSettings SerializerSettings => Settings;

    /// <summary>UTF-8 size of the compact text, the measure AWS applies to its 256 KiB payload quota.</summary>
    public static int Utf8Size(JToken token) => System.Text.Encoding.UTF8.GetByteCount(Print(token));
}

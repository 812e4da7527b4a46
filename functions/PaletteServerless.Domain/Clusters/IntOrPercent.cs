using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// A count given either as a whole number (JSON 2) or as a percent of a total (JSON "25%"), as Kubernetes'
/// IntOrString for maxSurge, maxUnavailable and maxUnhealthy. The text is kept as given so that a bad value
/// reaches the validator, which names the field, instead of failing in the parser.
/// </summary>
[JsonConverter(typeof(IntOrPercentJsonConverter))]
public readonly partial record struct IntOrPercent
{
    private readonly string? _text;

    private IntOrPercent(string text, bool isNumber)
    {
        _text = text;
        IsNumber = isNumber;
    }

    /// <summary>The value as written: a JSON number's text, or a JSON string ("" for default(IntOrPercent), which is invalid).</summary>
    public string Text => _text ?? "";

    /// <summary>True when the JSON value was a number, false when it was a string.</summary>
    public bool IsNumber { get; }

    public static IntOrPercent Of(int value) => new(value.ToString(CultureInfo.InvariantCulture), isNumber: true);

    public static IntOrPercent Percent(int percent) => new(percent.ToString(CultureInfo.InvariantCulture) + "%", isNumber: false);

    /// <summary>As read from JSON: <paramref name="isNumber"/> tells a number token from a string token.</summary>
    public static IntOrPercent FromJson(string text, bool isNumber) => new(text, isNumber);

    /// <summary>A whole number written as a JSON number (not "2", not 2.5, not -1).</summary>
    public bool TryGetInt(out int value)
    {
        value = 0;
        return IsNumber && int.TryParse(Text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A string of digits and '%', such as "25%".</summary>
    public bool TryGetPercent(out int percent)
    {
        percent = 0;
        return !IsNumber && PercentPattern().IsMatch(Text)
            && int.TryParse(Text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out percent);
    }

    public bool IsValid => TryGetInt(out _) || TryGetPercent(out _);

    /// <summary>True for 0 and "0%": the value that allows nothing whatever the total.</summary>
    public bool IsZero => (TryGetInt(out var n) && n == 0) || (TryGetPercent(out var p) && p == 0);

    /// <summary>
    /// The count for a total, as Kubernetes' GetScaledValueFromIntOrPercent: a percent of the total,
    /// rounded up or down as the caller's rule says (maxSurge up, maxUnavailable down).
    /// </summary>
    public int Resolve(int total, bool roundUp)
    {
        if (TryGetInt(out var value))
            return value;
        if (!TryGetPercent(out var percent))
            throw new InvalidOperationException($"'{Text}' is neither a whole number nor a percent; validate the spec first");
        var scaled = (long)percent * total;
        return (int)(roundUp ? (scaled + 99) / 100 : scaled / 100);
    }

    public override string ToString() => Text;

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,2})%\z")]
    private static partial Regex PercentPattern();
}

/// <summary>Reads a JSON number or string into <see cref="IntOrPercent"/>; writes whole numbers back as numbers.</summary>
public sealed class IntOrPercentJsonConverter : JsonConverter<IntOrPercent>
{
    public override IntOrPercent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => IntOrPercent.FromJson(System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan), isNumber: true),
        JsonTokenType.String => IntOrPercent.FromJson(reader.GetString()!, isNumber: false),
        _ => throw new JsonException("must be a whole number such as 1 or a percent such as \"25%\""),
    };

    public override void Write(Utf8JsonWriter writer, IntOrPercent value, JsonSerializerOptions options)
    {
        if (value.TryGetInt(out var number))
            writer.WriteNumberValue(number);
        else
            writer.WriteStringValue(value.Text);
    }
}

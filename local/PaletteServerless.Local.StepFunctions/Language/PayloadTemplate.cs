using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>
/// Parameters, ItemSelector and ResultSelector: a JSON template in which every field whose name
/// ends in ".$" (however deeply nested) takes the value of a Path, a context path ("$$") or an
/// intrinsic function, and loses the ".$" suffix.
/// </summary>
public static class PayloadTemplate
{
    public static JToken Apply(JToken template, JToken input, JToken context, string field) => template switch
    {
        JObject obj => ApplyObject(obj, input, context, field),
        JArray array => new JArray(array.Select(item => Apply(item, input, context, field))),
        _ => template.DeepClone(),
    };

    private static JObject ApplyObject(JObject template, JToken input, JToken context, string field)
    {
        var result = new JObject();
        foreach (var property in template.Properties())
        {
            if (property.Name.EndsWith(".$", StringComparison.Ordinal))
            {
                var expression = (string)property.Value!;
                result[property.Name[..^2]] = IntrinsicFunctions.IsIntrinsic(expression)
                    ? IntrinsicFunctions.Evaluate(expression, input, context)
                    : JsonPaths.SelectRequired(input, context, expression, StatesErrors.ParameterPathFailure, property.Name).DeepClone();
            }
            else
            {
                result[property.Name] = Apply(property.Value, input, context, field);
            }
        }
        return result;
    }

    /// <summary>Checks every ".$" field of a template at definition time.</summary>
    public static void Validate(JToken template, string where)
    {
        switch (template)
        {
            case JObject obj:
                foreach (var property in obj.Properties())
                {
                    if (property.Name.EndsWith(".$", StringComparison.Ordinal))
                    {
                        if (property.Value.Type != JTokenType.String)
                            throw new InvalidDefinitionException($"{where}: the value of field '{property.Name}' must be a path or an intrinsic function string.");
                        var expression = (string)property.Value!;
                        if (IntrinsicFunctions.IsIntrinsic(expression))
                            IntrinsicFunctions.Validate(expression);
                        else if (!JsonPaths.IsValidPath(expression))
                            throw new InvalidDefinitionException($"{where}: the value for the field '{property.Name}' must be a valid JSONPath or a valid intrinsic function call ('{expression}').");
                    }
                    else
                    {
                        Validate(property.Value, where);
                    }
                }
                break;
            case JArray array:
                foreach (var item in array)
                    Validate(item, where);
                break;
        }
    }
}

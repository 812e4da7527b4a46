using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// A cloud-config user data as cloud-init reads it: the files it writes (write_files runs before the
/// packages are installed and before runcmd), the Debian packages it installs, and the commands it runs.
/// </summary>
public sealed record UserDataDocument(Dictionary<string, string> Files, List<string> Packages, List<string> Runcmd)
{
    /// <summary>The document from RunInstances' base64 user data, or null when it is not a cloud-config cloud-init would run.</summary>
    public static UserDataDocument? Parse(string base64)
    {
        string text;
        try
        {
            text = Text(base64);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            return null;
        }
        if (!text.StartsWith("#cloud-config\n", StringComparison.Ordinal))
            return null;
        var roots = Documents(text);
        if (roots.Count != 1)
            return null;
        var root = roots[0];
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "write_files") is YamlSequenceNode written)
        {
            foreach (var file in written.Children.OfType<YamlMappingNode>())
            {
                if (Child(file, "path") is YamlScalarNode { Value: { } path })
                    files[path] = Child(file, "content") is YamlScalarNode { Value: { } content } ? content : "";
            }
        }
        var packages = Child(root, "packages") is YamlSequenceNode listed
            ? listed.Children.OfType<YamlScalarNode>().Select(p => p.Value ?? "").ToList()
            : [];
        if (Child(root, "runcmd") is not YamlSequenceNode runcmd)
            return null;
        var commands = runcmd.Children.Select(c => c switch
        {
            YamlScalarNode line => line.Value ?? "",
            YamlSequenceNode argv => string.Join(' ', argv.Children.OfType<YamlScalarNode>().Select(a => a.Value)),
            _ => "",
        }).ToList();
        return new UserDataDocument(files, packages, commands);
    }

    /// <summary>
    /// The text of user data as EC2 returns it (base64): cloud-init decompresses gzip (by its magic bytes)
    /// before it reads anything. Throws <see cref="FormatException"/> or <see cref="InvalidDataException"/> for data it could not read.
    /// </summary>
    public static string Text(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
            return Encoding.UTF8.GetString(bytes);
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The variables of a shell environment file the node's scripts source (<c>NAME='value'</c> lines, a
    /// quote inside a value written <c>'\''</c>, as POSIX sh reads them); other lines are ignored.
    /// </summary>
    public static Dictionary<string, string> EnvironmentFile(string? text)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n'))
        {
            var match = Regex.Match(line, @"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$");
            if (match.Success && Unquote(match.Groups[2].Value) is { } value)
                variables[match.Groups[1].Value] = value;
        }
        return variables;
    }

    /// <summary>A word of single-quoted segments and <c>\'</c> escapes, as sh reads it; null when it is anything else (it would run code).</summary>
    private static string? Unquote(string word)
    {
        var value = new StringBuilder();
        var at = 0;
        while (at < word.Length)
        {
            if (word[at] == '\'')
            {
                var end = word.IndexOf('\'', at + 1);
                if (end < 0)
                    return null;
                value.Append(word, at + 1, end - at - 1);
                at = end + 1;
            }
            else if (word[at] == '\\' && at + 1 < word.Length)
            {
                value.Append(word[at + 1]);
                at += 2;
            }
            else if (char.IsLetterOrDigit(word[at]) || "-_./:@,+=".Contains(word[at]))
            {
                value.Append(word[at++]);
            }
            else
            {
                return null;
            }
        }
        return value.ToString();
    }

    /// <summary>A script with the environment's variables (<c>$NAME</c>, <c>${NAME}</c>) replaced by their values, as the node would run it.</summary>
    public static string Expand(string script, IReadOnlyDictionary<string, string> variables) =>
        Regex.Replace(script, @"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
            m => variables.TryGetValue(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, out var value) ? value : m.Value);

    /// <summary>The value under <paramref name="key"/> in a mapping, or null.</summary>
    public static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The scalar under <paramref name="key"/> in a mapping, or null.</summary>
    public static string? Scalar(YamlMappingNode node, string key) =>
        Child(node, key) is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>The YAML documents of a text (each a mapping), or none when it is not YAML.</summary>
    public static List<YamlMappingNode> Documents(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return [];
        }
    }
}

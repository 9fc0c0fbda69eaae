using CloudController.GrainInterfaces.Uaa;

namespace CloudController.Api.Uaa;

/// <summary>
/// UAA's SCIM filter expressions, the part clients send for users: comparisons <c>eq</c>, <c>co</c>, <c>sw</c> (and
/// <c>pr</c>, present) on <c>userName</c>, <c>origin</c>, <c>id</c> (case-insensitive attribute names and values, as
/// UAA compares them), joined by <c>and</c> and <c>or</c> (<c>and</c> binds tighter) and grouped by parentheses. A
/// filter that names users by <c>userName eq</c> or <c>id eq</c> in every branch is answered from those users alone.
/// </summary>
internal abstract record ScimFilter
{
    /// <summary>At most this many characters, and this many comparisons, per filter.</summary>
    public const int MaxLength = 2048;

    private const int MaxTerms = 64;

    public abstract bool Matches(UaaUserSnapshot user);

    /// <summary>The user names and ids the filter can match at most, or null when it may match any user.</summary>
    public abstract (IReadOnlySet<string> Names, IReadOnlySet<string> Ids)? Pins();

    /// <summary>Parses a filter; raises <see cref="FormatException"/> (UAA's invalid_filter) for anything else.</summary>
    public static ScimFilter Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new FormatException("the filter is too long");
        }

        var parser = new Parser(Tokens(text));
        var filter = parser.Or();
        return parser.AtEnd ? filter : throw new FormatException($"unexpected '{parser.Peek}'");
    }

    private sealed record Or(ScimFilter Left, ScimFilter Right) : ScimFilter
    {
        public override bool Matches(UaaUserSnapshot user) => Left.Matches(user) || Right.Matches(user);

        public override (IReadOnlySet<string> Names, IReadOnlySet<string> Ids)? Pins() =>
            Left.Pins() is { } l && Right.Pins() is { } r
                ? (l.Names.Union(r.Names, StringComparer.OrdinalIgnoreCase).ToHashSet(StringComparer.OrdinalIgnoreCase),
                    l.Ids.Union(r.Ids, StringComparer.OrdinalIgnoreCase).ToHashSet(StringComparer.OrdinalIgnoreCase))
                : null;
    }

    private sealed record And(ScimFilter Left, ScimFilter Right) : ScimFilter
    {
        public override bool Matches(UaaUserSnapshot user) => Left.Matches(user) && Right.Matches(user);

        public override (IReadOnlySet<string> Names, IReadOnlySet<string> Ids)? Pins() => Left.Pins() ?? Right.Pins();
    }

    private sealed record Compare(string Attribute, string Operator, string? Value) : ScimFilter
    {
        public override bool Matches(UaaUserSnapshot user)
        {
            var actual = Attribute switch
            {
                "username" => user.UserName,
                "origin" => user.Origin,
                _ => user.Id.ToString("D"),
            };
            return Operator switch
            {
                "pr" => actual.Length > 0,
                "eq" => string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase),
                "co" => actual.Contains(Value!, StringComparison.OrdinalIgnoreCase),
                _ => actual.StartsWith(Value!, StringComparison.OrdinalIgnoreCase),
            };
        }

        public override (IReadOnlySet<string> Names, IReadOnlySet<string> Ids)? Pins() => (Attribute, Operator) switch
        {
            ("username", "eq") => (new HashSet<string>([Value!], StringComparer.OrdinalIgnoreCase), new HashSet<string>()),
            ("id", "eq") => (new HashSet<string>(), new HashSet<string>([Value!], StringComparer.OrdinalIgnoreCase)),
            _ => null,
        };
    }

    private sealed class Parser(List<string> tokens)
    {
        private int _at;
        private int _terms;

        public bool AtEnd => _at == tokens.Count;

        public string Peek => AtEnd ? "end of filter" : tokens[_at];

        public ScimFilter Or()
        {
            var left = And();
            while (Accept("or"))
            {
                left = new Or(left, And());
            }

            return left;
        }

        private ScimFilter And()
        {
            var left = Factor();
            while (Accept("and"))
            {
                left = new And(left, Factor());
            }

            return left;
        }

        private ScimFilter Factor()
        {
            if (Accept("("))
            {
                var inner = Or();
                return Accept(")") ? inner : throw new FormatException("missing ')'");
            }

            if (++_terms > MaxTerms)
            {
                throw new FormatException("too many comparisons");
            }

            var attribute = Next().ToLowerInvariant();
            if (attribute is not ("username" or "origin" or "id"))
            {
                throw new FormatException($"unknown attribute '{attribute}'");
            }

            var op = Next().ToLowerInvariant();
            if (op == "pr")
            {
                return new Compare(attribute, op, null);
            }

            if (op is not ("eq" or "co" or "sw"))
            {
                throw new FormatException($"unsupported operator '{op}'");
            }

            var value = Next();
            return value.Length >= 2 && value[0] == '"' && value[^1] == '"'
                ? new Compare(attribute, op, value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal))
                : throw new FormatException("values must be quoted");
        }

        private bool Accept(string token)
        {
            if (!AtEnd && string.Equals(tokens[_at], token, StringComparison.OrdinalIgnoreCase))
            {
                _at++;
                return true;
            }

            return false;
        }

        private string Next() => AtEnd ? throw new FormatException("incomplete filter") : tokens[_at++];
    }

    /// <summary>Words, parentheses and quoted strings (with <c>\"</c> and <c>\\</c> escapes).</summary>
    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '"')
            {
                var start = i++;
                while (i < text.Length && text[i] != '"')
                {
                    i += text[i] == '\\' && i + 1 < text.Length ? 2 : 1;
                }

                if (i >= text.Length)
                {
                    throw new FormatException("unterminated string");
                }

                tokens.Add(text[start..++i]);
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '"'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
        }

        return tokens;
    }
}

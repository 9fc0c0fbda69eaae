namespace CloudController.Api.Paging;

/// <summary>One v2 <c>q</c> filter: <c>key:value</c>, <c>key IN a,b</c> (values are alternatives) or <c>key&gt;value</c>.</summary>
internal sealed record V2Filter(string Key, IReadOnlyList<string> Values)
{
    /// <summary><c>:</c> or <c>IN</c> (values are alternatives), or a comparison <c>&lt; &gt; &lt;= &gt;=</c> on keys that allow one.</summary>
    public string Operator { get; init; } = ":";
}

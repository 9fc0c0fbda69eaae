namespace CloudController.Api.Paging;

/// <summary>One v2 <c>q</c> filter: <c>key:value</c> or <c>key IN a,b</c>; values are alternatives.</summary>
internal sealed record V2Filter(string Key, IReadOnlyList<string> Values);

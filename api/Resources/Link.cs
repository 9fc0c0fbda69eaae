using System.Text.Json.Serialization;

namespace CloudController.Api.Resources;

/// <summary>A v3 link: <c>{"href": ...}</c>, with <c>method</c> for action links.</summary>
internal sealed record Link(string Href, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Method = null);

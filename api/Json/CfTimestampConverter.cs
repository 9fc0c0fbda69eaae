using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudController.Api.Json;

/// <summary>CF timestamps: UTC, second precision, literal <c>Z</c> (<c>2016-06-08T16:41:44Z</c>).</summary>
internal sealed class CfTimestampConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static string ToCf(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ToCf(value));
}

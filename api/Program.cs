using CloudController.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.UseCloudControllerUrls();
builder.AddCloudControllerOrleansClient();
builder.Services.AddCloudControllerApi(builder.Configuration);

var app = builder.Build();
app.UseCloudControllerApi();
app.Run();

/// <summary>The api's entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;

using Microsoft.Extensions.FileProviders;

namespace CloudController.StaticServer;

/// <summary>
/// The staticfile buildpack's web server: serves a folder (argument 1, default the working directory) on $PORT,
/// index.html for folders, and writes one line per request to stdout (the app's log). Files and folders whose names
/// start with a dot are not served.
/// </summary>
internal static class StaticServerProgram
{
    public static async Task Main(string[] args)
    {
        var root = Path.GetFullPath(args.Length > 0 ? args[0] : Environment.CurrentDirectory);
        var port = Environment.GetEnvironmentVariable("PORT") ?? "8080";
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root });
        builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var files = new PhysicalFileProvider(root);
        app.Use(async (context, next) =>
        {
            await next(context);
            Console.WriteLine($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Response.StatusCode}");
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ServeUnknownFileTypes = true });
        Console.WriteLine($"Serving {root} on port {port}");
        await app.RunAsync();
    }
}

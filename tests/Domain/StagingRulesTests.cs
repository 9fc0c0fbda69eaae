using CloudController.Grains.Staging;

namespace CloudController.Tests.Domain;

public sealed class StagingRulesTests
{
    [Theory]
    [InlineData("package.json", "nodejs_buildpack", "npm start")]
    [InlineData("web.csproj", "dotnet_core_buildpack", "cd ${HOME} && exec ./web")]
    [InlineData("api.fsproj", "dotnet_core_buildpack", "cd ${HOME} && exec ./api")]
    [InlineData("requirements.txt", "python_buildpack", "python -m app")]
    [InlineData("setup.py", "python_buildpack", "python -m app")]
    [InlineData("Gemfile", "ruby_buildpack", "bundle exec rackup config.ru -p $PORT")]
    [InlineData("go.mod", "go_buildpack", "./bin/app")]
    [InlineData("index.html", "staticfile_buildpack", "$HOME/boot.sh")]
    [InlineData("Staticfile", "staticfile_buildpack", "$HOME/boot.sh")]
    [InlineData("pom.xml", "java_buildpack", "java -jar target/app.jar")]
    [InlineData("app.jar", "java_buildpack", "java -jar app.jar")]
    public void EachBuildpackIsDetectedFromItsFiles(string file, string buildpack, string command)
    {
        var detected = BuildpackDetector.Detect([file, "lib/other.txt"], null, null);

        Assert.Equal((buildpack, command), (detected!.Buildpack, detected.StartCommand));
        Assert.Equal(command, Assert.Single(detected.ProcessTypes, t => t.Key == "web").Value);
    }

    [Fact]
    public void OnlyRootFilesCountAndNothingDetectedIsNull()
    {
        Assert.Null(BuildpackDetector.Detect(["docs/package.json", "README.md"], null, null));
    }

    [Fact]
    public void AnExplicitBuildpackWinsAndAProcfileSetsTheCommand()
    {
        Assert.Equal(("python_buildpack", ""), Found(BuildpackDetector.Detect(["package.json"], "python_buildpack", null)));
        Assert.Equal(("nodejs_buildpack", "node server.js"), Found(BuildpackDetector.Detect(["package.json", "Procfile"], null, "worker: x\nweb: node server.js\n")));
        Assert.Equal(("https://github.com/x/y", ""), Found(BuildpackDetector.Detect(["anything"], "https://github.com/x/y", null)));
    }

    [Fact]
    public void AProcfileNamesTheProcessTypes()
    {
        var types = BuildpackDetector.ProcessTypes("web: node server.js --bind a:b\r\n\n# comment\nWorker: node worker.js\nclock:   \nbad type: x\nworker: node w2.js\n");

        Assert.Equal(new Dictionary<string, string> { ["web"] = "node server.js --bind a:b", ["worker"] = "node w2.js" }, types);
        Assert.Empty(BuildpackDetector.ProcessTypes(null));

        var detected = BuildpackDetector.Detect(["package.json", "Procfile"], null, "worker: node worker.js")!;
        Assert.Equal(new Dictionary<string, string> { ["web"] = "npm start", ["worker"] = "node worker.js" }, detected.ProcessTypes);
    }

    private static (string, string) Found(BuildpackDetector.Detected? detected) => (detected!.Buildpack, detected.StartCommand);
}

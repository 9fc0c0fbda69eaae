using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Request = Azure.Core.Request;

namespace CloudController.Tests.Infrastructure;

/// <summary>
/// Faults a test injects into a silo's storage requests (an Azure SDK pipeline policy on its blob and table clients):
/// a request whose method and path match a rule fails as storage under stress answers (503), or hangs until the rule
/// is lifted. Every rule counts the requests it caught. Lifting a rule (disposing it) lets held requests go on.
/// </summary>
public sealed class StorageFaults : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<Rule, byte> _rules = new();

    /// <summary>Writes (anything but GET and HEAD) whose path contains <paramref name="pathPart"/>.</summary>
    public static Func<Request, bool> WritesTo(string pathPart) =>
        request => request.Method != RequestMethod.Get && request.Method != RequestMethod.Head
            && Uri.UnescapeDataString(request.Uri.Path).Contains(pathPart, StringComparison.Ordinal);

    /// <summary>Matching requests fail with 503 until the answer is disposed.</summary>
    public Rule Fail(Func<Request, bool> match) => Add(new Rule(this, match, hang: false));

    /// <summary>Matching requests wait until the answer is disposed, then go on.</summary>
    public Rule Hang(Func<Request, bool> match) => Add(new Rule(this, match, hang: true));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        foreach (var rule in _rules.Keys)
        {
            if (rule.Matches(message.Request))
            {
                await rule.ApplyAsync(message.CancellationToken);
            }
        }

        await ProcessNextAsync(message, pipeline);
    }

    private Rule Add(Rule rule)
    {
        _rules[rule] = 0;
        return rule;
    }

    public sealed class Rule(StorageFaults owner, Func<Request, bool> match, bool hang) : IDisposable
    {
        private readonly TaskCompletionSource _lifted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hits;

        /// <summary>Requests this rule caught so far.</summary>
        public int Hits => Volatile.Read(ref _hits);

        internal bool Matches(Request request) => !_lifted.Task.IsCompleted && match(request);

        internal async Task ApplyAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _hits);
            if (!hang)
            {
                throw new RequestFailedException(503, "injected: the storage is unavailable", "ServerBusy", null);
            }

            await _lifted.Task.WaitAsync(cancellationToken);
        }

        public void Dispose()
        {
            owner._rules.TryRemove(this, out _);
            _lifted.TrySetResult();
        }
    }
}

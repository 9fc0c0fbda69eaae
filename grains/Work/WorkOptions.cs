namespace CloudController.Grains.Work;

/// <summary>
/// <c>CloudController:Work</c>: how long work may run, how often it is tried, and how soon unfinished work is resumed
/// after its silo dies or the system restarts.
/// </summary>
public sealed class WorkOptions
{
    public const string Section = "CloudController:Work";

    /// <summary>An attempt that runs longer than this is cancelled and counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Attempts before the work ends failed (a silo dying under it counts as one).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Period of the reminder that resumes unfinished work whose silo went away (Orleans' minimum is 1 minute unless lowered).</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Azure table holding the reminders.</summary>
    public string ReminderTable { get; set; } = "OrleansReminders";
}

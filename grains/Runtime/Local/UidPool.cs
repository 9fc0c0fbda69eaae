namespace CloudController.Grains.Runtime.Local;

/// <summary>
/// User ids for instances and stagings when the silo is root: each gets the lowest free id from the base up, so no
/// two running at once share one (and none can read another's folder). Without a base (the silo is not root) there
/// are none, and everything runs as the silo's user.
/// </summary>
public sealed class UidPool(int? first)
{
    private readonly SortedSet<int> _free = [];
    private readonly Lock _gate = new();
    private int _next = first ?? 0;

    public int? Take()
    {
        if (first is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (_free.Count > 0)
            {
                var id = _free.Min;
                _free.Remove(id);
                return id;
            }

            return _next++;
        }
    }

    public void Give(int uid)
    {
        lock (_gate)
        {
            _free.Add(uid);
        }
    }
}

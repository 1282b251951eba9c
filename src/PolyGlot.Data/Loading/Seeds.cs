using System.Text;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Counter-based randomness: every shuffle is seeded by hashing (run seed, source, epoch, shard)
/// with SplitMix64, so no generator state has to be saved; the data state's counters are enough
/// to reproduce any permutation.
/// </summary>
public static class Seeds
{
    /// <summary>The SplitMix64 finalizer (Steele, Lea and Flood 2014): a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A seed derived from <paramref name="seed"/> and the given counters, in order.</summary>
    public static ulong Derive(ulong seed, params ReadOnlySpan<ulong> parts)
    {
        var h = Mix(seed);
        foreach (var part in parts)
            h = Mix(h ^ Mix(part));
        return h;
    }

    /// <summary>FNV-1a over the UTF-8 bytes of <paramref name="text"/>: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    public static ulong Hash(string text)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
            h = (h ^ b) * 0x100000001B3UL;
        return h;
    }

    /// <summary>A permutation of 0..<paramref name="count"/>-1 by Fisher-Yates driven by SplitMix64 from <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
            order[i] = i;
        var state = seed;
        for (var i = count - 1; i > 0; i--)
        {
            state += 0x9E3779B97F4A7C15UL;
            // Multiply-high maps 64 random bits onto [0, i]; its bias (i / 2^64) is negligible.
            var j = (int)Math.BigMul(Mix(state), (ulong)(i + 1), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

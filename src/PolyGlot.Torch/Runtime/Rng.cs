using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Runtime;

/// <summary>libtorch's default random generators: seeding and state save/restore (for exact resume).</summary>
public static class Rng
{
    /// <summary>Seeds the CPU generator and every CUDA generator (as <c>torch.manual_seed</c>).</summary>
    public static void ManualSeed(ulong seed) => Native.Check(Native.ManualSeed(seed), nameof(ManualSeed));

    /// <summary>The state of the default generator of <paramref name="device"/> (CPU when null) as bytes.</summary>
    public static byte[] GetState(Device? device = null)
    {
        var d = device ?? Device.Cpu;
        using var state = Native.Wrap(Native.RngGetState((int)d.Type, d.Index), nameof(GetState)).Keep();
        return state.ToBytes();
    }

    /// <summary>Restores a state returned by <see cref="GetState"/> for the same kind of device.</summary>
    public static void SetState(ReadOnlySpan<byte> state, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        using var tensor = Tensor.FromBytes(state, DType.UInt8, [state.Length]).Keep();
        Native.Check(Native.RngSetState((int)d.Type, d.Index, tensor.Handle), nameof(SetState));
    }
}

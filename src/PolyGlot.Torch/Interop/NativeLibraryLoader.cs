using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>
/// Resolves <c>libpolyglot_torch.so</c> beside this assembly first (the build copies it there
/// from artifacts/native), then on the default search path, and explains how to build it when
/// neither has it.
/// </summary>
internal static class NativeLibraryLoader
{
    private const string FileName = "libpolyglot_torch.so";

#pragma warning disable CA2255 // A module initializer is the only hook that runs before the first P/Invoke.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Native.Library)
            return 0;
        var besideAssembly = Path.Combine(Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory, FileName);
        if (NativeLibrary.TryLoad(besideAssembly, out var handle))
            return handle;
        if (NativeLibrary.TryLoad(FileName, assembly, searchPath, out handle))
            return handle;
        throw new DllNotFoundException(
            $"Cannot load {FileName} (looked beside {assembly.Location} and on the library search path). " +
            "Build the native shims and the solution with scripts/setup.sh, which also installs libtorch " +
            $"when it is missing. Details: {Explain(besideAssembly)}");
    }

    // The loader's own reason (e.g. a missing libtorch dependency) is the most useful detail.
    private static string Explain(string path)
    {
        if (!File.Exists(path))
            return $"{path} does not exist.";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "it loaded on a second attempt.";
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
    }
}

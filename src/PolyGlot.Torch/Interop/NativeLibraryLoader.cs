using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>
/// Resolves <c>libpolyglot_torch.so</c> from the folder named by <c>POLYGLOT_NATIVE_DIR</c> when it
/// is set (a shim built against another libtorch, e.g. a PyTorch CUDA install), else beside the
/// application (the build copies it there from artifacts/native; a single-file publish keeps it
/// next to the executable), then on the default search path, and explains how to build it when
/// none has it.
/// </summary>
internal static class NativeLibraryLoader
{
    private const string FileName = "libpolyglot_torch.so";

    // Environment variable naming the folder that holds the shim to load.
    private const string DirectoryVariable = "POLYGLOT_NATIVE_DIR";

#pragma warning disable CA2255 // A module initializer is the only hook that runs before the first P/Invoke.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Native.Library)
            return 0;
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory)
        {
            // An explicit choice never falls back to another build silently.
            var chosen = Path.Combine(directory, FileName);
            if (NativeLibrary.TryLoad(chosen, out var chosenHandle))
                return Verified(chosenHandle, chosen);
            throw new DllNotFoundException($"Cannot load {FileName} from {DirectoryVariable}={directory}. Details: {Explain(chosen)}");
        }
        // AppContext.BaseDirectory, not Assembly.Location: the latter is empty in a single-file app.
        var besideApplication = Path.Combine(AppContext.BaseDirectory, FileName);
        if (NativeLibrary.TryLoad(besideApplication, out var handle))
            return Verified(handle, besideApplication);
        if (NativeLibrary.TryLoad(FileName, assembly, searchPath, out handle))
            return Verified(handle, FileName);
        throw new DllNotFoundException(
            $"Cannot load {FileName} (looked in {AppContext.BaseDirectory} and on the library search path). " +
            "Build the native shims and the solution with scripts/setup.sh, which also installs libtorch " +
            $"when it is missing, or set {DirectoryVariable} to the folder holding the library. Details: {Explain(besideApplication)}");
    }

    private static nint Verified(nint handle, string path)
    {
        OperationTables.Verify(handle, path);
        return handle;
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

using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>
/// The operation codes cross the ABI as numbers, so the managed enums (<see cref="UnaryOp"/>,
/// <see cref="BinaryOp"/>, <see cref="ReduceOp"/>) must list the native tables
/// (pg_ops.cpp) in the same order. This checks them by name once, when the library is loaded: a
/// shim built from other sources fails at once with the first difference, instead of running the
/// wrong operation.
/// </summary>
internal static unsafe class OperationTables
{
    private static readonly (string Name, Type Enum)[] Tables = [("unary", typeof(UnaryOp)), ("binary", typeof(BinaryOp)), ("reduce", typeof(ReduceOp))];

    /// <summary>Compares every table of the library at <paramref name="library"/> (a loaded handle) with the managed enums.</summary>
    /// <exception cref="DllNotFoundException">The library has no table export or a table differs; the message says where.</exception>
    public static void Verify(nint library, string path)
    {
        if (!NativeLibrary.TryGetExport(library, "pg_ops_names", out var export))
            throw new DllNotFoundException($"{path} has no pg_ops_names export: it was built from older sources. Rebuild it with scripts/setup.sh.");
        var names = (delegate* unmanaged<int, byte***, int>)export;
        for (var table = 0; table < Tables.Length; table++)
        {
            byte** native;
            var count = names(table, &native);
            var managed = Enum.GetNames(Tables[table].Enum);
            for (var i = 0; i < Math.Max(count, managed.Length); i++)
            {
                var nativeName = i < count ? Marshal.PtrToStringUTF8((nint)native[i]) : "(none)";
                var managedName = i < managed.Length ? managed[i] : "(none)";
                if (nativeName != managedName)
                    throw new DllNotFoundException(
                        $"{path}: the {Tables[table].Name} operation table differs from this build's at code {i} (native {nativeName}, managed {managedName}); " +
                        "the library and the managed assemblies come from different sources. Rebuild both with scripts/setup.sh.");
            }
        }
    }
}

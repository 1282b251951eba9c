using System.Runtime.InteropServices;
using PolyGlot.TestSupport;
using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Tests.Interop;

public sealed class OperationTablesTests
{
    [Fact]
    public void AcceptsTheShim_When_ItWasBuiltFromTheseSources()
    {
        // Given the torch shim this build loads
        var path = Path.Combine(AppContext.BaseDirectory, "libpolyglot_torch.so");
        var library = NativeLibrary.Load(path);

        // When its operation tables are compared with the managed enums, then they agree
        OperationTables.Verify(library, path);
    }

    [Fact]
    public void RefusesTheLibraryNamingTheRemedy_When_ItHasNoOperationTables()
    {
        // Given a library that is not the torch shim (the SentencePiece shim)
        var path = RepositoryPaths.Combine("artifacts", "native", "libpolyglot_spm.so");
        var library = NativeLibrary.Load(path);

        // When it is verified, then the error says it has no tables and how to rebuild
        var error = Assert.Throws<DllNotFoundException>(() => OperationTables.Verify(library, path));
        Assert.Contains("has no pg_ops_names export", error.Message);
        Assert.Contains("scripts/setup.sh", error.Message);
    }
}

#!/usr/bin/env bash
# Publishes the CLI (src/PolyGlot.Cli) as one self-contained, trimmed executable for linux-x64 into
# artifacts/publish/, for machines without the .NET SDK (e.g. a GPU machine, scripts/gpu-check.sh):
#   artifacts/publish/polyglot                    the CLI with the .NET runtime inside
#   artifacts/publish/libpolyglot_torch.so        the shims, found beside the executable
#   artifacts/publish/libpolyglot_spm.so          (POLYGLOT_NATIVE_DIR=<dir> picks another libpolyglot_torch.so)
#   artifacts/publish/libsentencepiece*.so.0      SentencePiece for machines without it: LD_LIBRARY_PATH=artifacts/publish
# libtorch itself is not bundled: libpolyglot_torch.so needs the libtorch it was built against.
# Needs scripts/setup.sh first (the native shims) and NuGet access for the linux-x64 runtime pack.
#
# Trimming: the framework, System.CommandLine, Serilog and Spectre.Console are trimmed; our own
# assemblies, YamlDotNet and Microsoft.ML.Tokenizers (with its o200k data) are kept whole
# (TrimmerRootAssembly in PolyGlot.Cli.csproj), because
# configs, manifests, checkpoint metadata and metrics go through reflection-based YamlDotNet and
# System.Text.Json, whose targets the trimmer cannot see. The per-project trim analyzer is off
# (EnableTrimAnalyzer=false: under TreatWarningsAsErrors it would fail those reflection call sites
# in the library builds) and ILLink's warnings are not errors; instead this script accepts a trim
# warning only from a kept-whole assembly and fails on any other, so that a new reflection use in
# trimmed code cannot slip through.
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/publish
native=artifacts/native
for lib in libpolyglot_torch.so libpolyglot_spm.so; do
  [[ -f $native/$lib ]] || { echo "publish: $native/$lib missing; run scripts/setup.sh first" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p artifacts
log=artifacts/publish.log
echo "publish: dotnet publish src/PolyGlot.Cli (linux-x64, self-contained, single file, trimmed)"
if ! dotnet publish src/PolyGlot.Cli/PolyGlot.Cli.csproj -c Release -r linux-x64 --self-contained -nologo \
       -p:PublishSingleFile=true -p:PublishTrimmed=true -p:EnableTrimAnalyzer=false -p:ILLinkTreatWarningsAsErrors=false \
       -o "$out" > "$log" 2>&1; then
  grep -E 'error' "$log" | sort -u >&2 || cat "$log" >&2
  echo "publish: FAILED: dotnet publish (full log in $log)" >&2
  exit 1
fi

# Trim warnings (ILxxxx) from anything but the kept-whole assemblies mean trimmed code uses reflection.
unexpected=$(grep -E 'warning IL[0-9]+' "$log" | grep -vE '/src/PolyGlot\.[A-Za-z]+/|YamlDotNet\.dll|Microsoft\.ML\.Tokenizers\.dll' | sort -u || true)
if [[ -n $unexpected ]]; then
  echo "$unexpected" >&2
  echo "publish: FAILED: trim warnings outside the kept-whole assemblies (see above); annotate the code or root the assembly in PolyGlot.Cli.csproj" >&2
  exit 1
fi
accepted=$( (grep -E 'warning IL[0-9]+' "$log" || true) | sed 's/ \[.*//' | sort -u | wc -l)

# SentencePiece beside the shim, for machines that lack it (resolved through LD_LIBRARY_PATH).
ldd "$native/libpolyglot_spm.so" | awk '/libsentencepiece/ {print $3}' | while read -r lib; do
  cp -L "$lib" "$out/"
done
rm -f "$out"/*.pdb "$out"/*.xml

size=$(du -b "$out/polyglot" | cut -f1)
echo "publish: $out/polyglot ($((size / 1024 / 1024)) MiB; folder $(du -sh "$out" | cut -f1)); $accepted trim warning(s) from kept-whole assemblies accepted (listed in $log; none when the link step was up to date)"

using System.Diagnostics;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;

namespace PolyGlot.Training.Tests.Checkpointing;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly CheckpointFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void WritesEveryPartAndMarker_When_Saved()
    {
        var dir = _fixture.Save(123);

        Assert.Equal("step-000123", Path.GetFileName(dir));
        foreach (var file in CheckpointFiles.RequiredBy(new CheckpointManifest()).Append(CheckpointFiles.Checksums).Append(CheckpointFiles.Complete))
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
    }

    [Fact]
    public void PassesSha256sumCheck_When_Saved()
    {
        // Given a saved checkpoint, when coreutils' sha256sum checks its checksum file
        var dir = _fixture.Save(5);
        var start = new ProcessStartInfo("sha256sum", "-c --strict checksums.sha256") { WorkingDirectory = dir, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        // Then every listed file is OK
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(CheckpointFiles.RequiredBy(new CheckpointManifest()).Count, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(": OK")));
    }

    [Fact]
    public void RestoresEveryPartExactly_When_Loaded()
    {
        // Given
        var saved = CheckpointFixture.Data(42);
        _fixture.Store.Save(saved, keepLast: 3);

        // When
        var loaded = _fixture.Store.Resolve(ResumeRequest.Parse("auto"))!;

        // Then
        Assert.Equal(42, loaded.Step);
        Assert.Equal(saved.Trainer.LossWindow, loaded.Trainer.LossWindow); // doubles round-trip bit for bit
        Assert.Equal(saved.Trainer.TokensPerLanguage, loaded.Trainer.TokensPerLanguage);
        Assert.Equal(saved.DataStateJson, loaded.DataStateJson);
        Assert.Equal(saved.Rng.TorchCpu, loaded.Rng.TorchCpu);
        Assert.Equal(saved.ConfigYaml, loaded.ConfigYaml);
        using var model = SafetensorsFile.Open(Path.Combine(loaded.Directory, CheckpointFiles.Model));
        Assert.Equal(CheckpointFixture.WeightBytes(42), model.GetBytes("wte.weight").ToArray());
        Assert.Equal("pt", model.Metadata["format"]);
    }

    [Fact]
    public void KeepsNewestK_When_MoreSaved()
    {
        foreach (var step in new[] { 10, 20, 30, 40 })
            _fixture.Save(step, keepLast: 2);

        Assert.Equal([40L, 30L], _fixture.Store.List().Select(c => c.Step));
    }

    [Fact]
    public void SkipsIncompleteWithWarning_When_MarkerMissing()
    {
        // Given step 20 lost its marker (a crash after the rename)
        _fixture.Save(10);
        var newest = _fixture.Save(20);
        File.Delete(Path.Combine(newest, CheckpointFiles.Complete));

        // When
        var found = _fixture.Store.FindNewestValid();

        // Then step 10 is used and the skipped one is named
        Assert.Equal(10, found!.Step);
        var warning = Assert.Single(_fixture.Warnings);
        Assert.Contains(newest, warning);
        Assert.Contains("incomplete", warning);
    }

    [Theory]
    [InlineData("step 20\nchecksums.sha256 0000000000000000000000000000000000000000000000000000000000000000\n", "checksum mismatch in checksums.sha256")]
    [InlineData("", "COMPLETE is damaged")]
    [InlineData("step 21\n", "COMPLETE is damaged")]
    public void SkipsWithWarning_When_CompleteMarkerIsDamaged(string marker, string reason)
    {
        // Given step 20's completion marker rewritten (a flipped hash, an emptied or truncated file)
        _fixture.Save(10);
        var newest = _fixture.Save(20);
        File.WriteAllText(Path.Combine(newest, CheckpointFiles.Complete), marker);

        // When
        var found = _fixture.Store.FindNewestValid();

        // Then step 10 is used, and the warning names step 20 and the reason
        Assert.Equal(10, found!.Step);
        var warning = Assert.Single(_fixture.Warnings);
        Assert.Contains(newest, warning);
        Assert.Contains(reason, warning);
    }

    [Fact]
    public void SkipsWithWarning_When_ChecksumListWasEditedToMatchAChangedFile()
    {
        // Given step 20's trainer.json changed and its line in checksums.sha256 updated to match
        _fixture.Save(10);
        var newest = _fixture.Save(20);
        var trainer = Path.Combine(newest, CheckpointFiles.Trainer);
        File.AppendAllText(trainer, " ");
        var checksums = Path.Combine(newest, CheckpointFiles.Checksums);
        var lines = File.ReadAllLines(checksums).Select(l => l.EndsWith("  " + CheckpointFiles.Trainer, StringComparison.Ordinal)
            ? $"{Common.IO.FileHash.Sha256Hex(trainer)}  {CheckpointFiles.Trainer}" : l);
        File.WriteAllText(checksums, string.Concat(lines.Select(l => l + "\n")));

        // When
        var found = _fixture.Store.FindNewestValid();

        // Then the marker's record of the checksum list catches it
        Assert.Equal(10, found!.Step);
        Assert.Contains("checksum mismatch in checksums.sha256", Assert.Single(_fixture.Warnings));
    }

    [Fact]
    public void SkipsCorruptWithWarning_When_TensorBytesChanged()
    {
        // Given one flipped byte inside step 20's model tensors
        _fixture.Save(10);
        var newest = _fixture.Save(20);
        var model = Path.Combine(newest, CheckpointFiles.Model);
        var bytes = File.ReadAllBytes(model);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(model, bytes);

        // When
        var found = _fixture.Store.FindNewestValid();

        // Then
        Assert.Equal(10, found!.Step);
        Assert.Contains($"Skipping checkpoint {newest}: checksum mismatch in model.safetensors", Assert.Single(_fixture.Warnings));
    }

    [Fact]
    public void SkipsUnreadable_When_ChecksumFileMissing()
    {
        _fixture.Save(10);
        var newest = _fixture.Save(20);
        File.Delete(Path.Combine(newest, CheckpointFiles.Checksums));

        Assert.Equal(10, _fixture.Store.FindNewestValid()!.Step);
        Assert.Contains("checksums.sha256 is missing", Assert.Single(_fixture.Warnings));
    }

    [Fact]
    public void LeavesNoCheckpoint_When_WriteFailsMidway()
    {
        // Given a good step 10 and a step-20 save whose tensor source fails after some bytes
        _fixture.Save(10);
        var failing = CheckpointFixture.Data(20, writer =>
        {
            writer.Write(new byte[8]);
            throw new IOException("disk full");
        });

        // When
        Assert.Throws<IOException>(() => _fixture.Store.Save(failing, keepLast: 1));

        // Then nothing of step 20 remains, and step 10 is intact and found
        Assert.Equal(["step-000010"], Directory.GetDirectories(_fixture.Root).Select(Path.GetFileName));
        Assert.Equal(10, _fixture.Store.FindNewestValid()!.Step);
    }

    [Fact]
    public void RemovesLeftovers_When_Pruned()
    {
        // Given an interrupted write's temporary directory and an incomplete older checkpoint
        _fixture.Save(10);
        Directory.CreateDirectory(Path.Combine(_fixture.Root, ".tmp-step-000015-1-x"));
        Directory.CreateDirectory(Path.Combine(_fixture.Root, "step-000005"));

        // When a later checkpoint is saved
        _fixture.Save(20);

        // Then only complete checkpoints remain
        Assert.Equal(["step-000010", "step-000020"],
            Directory.GetDirectories(_fixture.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReplacesEarlierAttempt_When_SameStepSavedAgain()
    {
        var first = _fixture.Save(10);
        File.Delete(Path.Combine(first, CheckpointFiles.Complete));

        var second = _fixture.Save(10);

        Assert.Equal(first, second);
        Assert.Equal(10, _fixture.Store.FindNewestValid()!.Step);
        Assert.Empty(_fixture.Warnings);
    }

    [Fact]
    public void StartsFresh_When_ResumeNone()
    {
        _fixture.Save(10);

        Assert.Null(_fixture.Store.Resolve(ResumeRequest.Parse("none")));
    }

    [Fact]
    public void StartsFresh_When_AutoAndNoCheckpoints()
    {
        Assert.Null(_fixture.Store.Resolve(ResumeRequest.Parse("auto")));
    }

    [Fact]
    public void RefusesNamedCheckpoint_When_Corrupt()
    {
        var dir = _fixture.Save(10);
        File.AppendAllText(Path.Combine(dir, CheckpointFiles.Trainer), " ");

        var e = Assert.Throws<CheckpointException>(() => _fixture.Store.Resolve(ResumeRequest.Parse(dir)));

        Assert.Equal(dir, e.Path);
        Assert.Contains("checksum mismatch in trainer.json", e.Message);
    }

    [Fact]
    public void UsesNewestInDirectory_When_PathIsCheckpointRoot()
    {
        _fixture.Save(10);
        _fixture.Save(30);
        var other = new CheckpointStore(Path.GetTempPath());

        var found = other.Resolve(ResumeRequest.Parse(_fixture.Root));

        Assert.Equal(30, found!.Step);
    }

    [Fact]
    public void RefusesPath_When_DirectoryMissing()
    {
        var e = Assert.Throws<CheckpointException>(() =>
            _fixture.Store.Resolve(ResumeRequest.Parse(Path.Combine(_fixture.Root, "nope"))));

        Assert.Contains("does not exist", e.Message);
    }
}

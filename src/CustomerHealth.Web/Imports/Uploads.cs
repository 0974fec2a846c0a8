using System.Globalization;

namespace CustomerHealth.Web.Imports;

/// <summary>A file uploaded for the dashboard's import: its id (the folder it is kept in), the name it was sent with, where it is kept and its size.</summary>
internal sealed record Upload(string Id, string Name, string Path, long Bytes)
{
    /// <summary>The rejected-rows file an import with skip-invalid wrote beside it, if there is one.</summary>
    public string? RejectedFile => new[] { Path + ".rejected.csv", Path + ".rejected.jsonl" }.FirstOrDefault(File.Exists);

    /// <summary>A message of the import about the kept file, with the file's own name instead of where it is kept.</summary>
    public string Named(string message) => message.Replace(Path, Name, StringComparison.Ordinal);
}

/// <summary>
/// Files uploaded to the dashboard's import, kept in a folder of their own under the system's temporary folder until
/// a day has passed: the import reads them from there (the same path as `chs import`), and its rejected-rows file is
/// downloaded from there. Only the kinds of file the import reads are taken, up to the size limit
/// (`Limits:MaxUploadBytes`).
/// </summary>
internal sealed class Uploads(ServerSettings settings)
{
    /// <summary>The file names the import reads: CSV (any of comma, semicolon or tab), JSON Lines, Excel workbooks.</summary>
    public static readonly string[] Extensions = [".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".xlsx"];

    private static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    private readonly string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chs-uploads");

    public long MaxBytes => settings.MaxUploadBytes;

    /// <summary>The size limit in words: “200 MB”.</summary>
    public string Limit => Megabytes(MaxBytes);

    public static string Megabytes(long bytes) => bytes < 1024 * 1024
        ? Math.Max(1, (long)Math.Ceiling(bytes / 1024.0)).ToString("N0", CultureInfo.InvariantCulture) + " KB"
        : (bytes / (1024.0 * 1024)).ToString(bytes % (1024 * 1024) == 0 ? "N0" : "N1", CultureInfo.InvariantCulture) + " MB";

    /// <summary>Why a file of that name and size is not taken, or null.</summary>
    public string? Refusal(string name, long bytes)
    {
        var ext = System.IO.Path.GetExtension(name).ToLowerInvariant();
        if (!Extensions.Contains(ext))
        {
            return $"“{Short(name)}” is not a file the import reads: send a CSV file (.csv, .tsv or .txt, separated by commas, semicolons or tabs), " +
                "a JSON Lines file (.jsonl) or an Excel workbook (.xlsx).";
        }
        if (bytes > MaxBytes)
        {
            return $"“{Short(name)}” is {Megabytes(bytes)}; the import takes files of up to {Limit}. Split it, or import it with `chs import`.";
        }
        if (bytes == 0)
        {
            return $"“{Short(name)}” is empty.";
        }
        return null;
    }

    /// <summary>Keeps a file sent, telling the share received as it goes; a file over the limit (whatever size it claimed) is refused and not kept.</summary>
    public async Task<Upload> Save(Stream content, string name, long size, IProgress<double>? progress, CancellationToken cancel)
    {
        if (Refusal(name, size) is { } refused)
        {
            throw new UploadRefusedException(refused);
        }
        Sweep();
        var id = Guid.NewGuid().ToString("N");
        var dir = System.IO.Path.Combine(root, id);
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, "upload" + System.IO.Path.GetExtension(name).ToLowerInvariant());
        long received = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await content.ReadAsync(buffer, cancel)) > 0)
            {
                received += n;
                if (received > MaxBytes)
                {
                    throw new UploadRefusedException($"“{Short(name)}” is larger than the {Limit} the import takes.");
                }
                await file.WriteAsync(buffer.AsMemory(0, n), cancel);
                progress?.Report(size > 0 ? Math.Min(1, (double)received / size) : 0);
            }
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
        return new Upload(id, System.IO.Path.GetFileName(name), path, received);
    }

    /// <summary>The rejected-rows file of the upload of that id, or null (an id that is not one, one swept away, an import that rejected nothing).</summary>
    public string? RejectedFile(string id) => Find(id)?.RejectedFile;

    private Upload? Find(string id)
    {
        if (id.Length != 32 || !id.All(Uri.IsHexDigit))
        {
            return null;
        }
        var dir = System.IO.Path.Combine(root, id);
        var file = Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "upload.*").FirstOrDefault(f => !f.Contains(".rejected.", StringComparison.Ordinal)) : null;
        return file is null ? null : new Upload(id, System.IO.Path.GetFileName(file), file, new FileInfo(file).Length);
    }

    // Uploads older than a day go: an import reads its file within minutes. (File times are the system's, so is the clock they are read against.)
    private void Sweep()
    {
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            try
            {
                if (TimeProvider.System.GetUtcNow().UtcDateTime - Directory.GetCreationTimeUtc(dir) > KeptFor)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (IOException)
            {
                // Another server's sweep, or a file still open: the next sweep takes it.
            }
        }
    }

    private static string Short(string name) => name.Length <= 80 ? name : name[..80] + "…";
}

/// <summary>A file the import does not take, and why in words for the person who sent it.</summary>
internal sealed class UploadRefusedException(string message) : Exception(message);

using System.Runtime.InteropServices;

namespace StateStore.Storage.Snapshots;

/// <summary>Hard links and fsync for snapshot folders (.NET has no API for either).</summary>
public static partial class HardLinks
{
    /// <summary>Recreates <paramref name="source"/>'s folders under <paramref name="target"/>, hard-linking every file.</summary>
    public static void LinkTree(string source, string target)
    {
        if (Directory.Exists(target))
        {
            throw new IOException($"snapshot folder {target} already exists");
        }
        var staging = target + ".partial";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var linked = Path.Combine(staging, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(linked)!);
            if (link(file, linked) != 0)
            {
                throw new IOException($"cannot hard-link {file} to {linked}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        Directory.CreateDirectory(staging);
        Directory.Move(staging, target);
        FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
    }

    /// <summary>Makes a folder's entries (new files, renames) durable.</summary>
    public static void FsyncDirectory(string path)
    {
        var fd = open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} to fsync it: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of {path} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string existing, string created);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close(int fd);
}

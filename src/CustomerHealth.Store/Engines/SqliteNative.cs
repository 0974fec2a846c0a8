using System.Runtime.InteropServices;
using SQLitePCL;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// SQLite's own functions for the bulk paths, found in the library SQLitePCL loaded and called through function
/// pointers: an import binds and a rescore reads tens of millions of values, and each call through SQLitePCL's API also
/// counts the statement handle's references and switches the GC mode. The calls that bind, read a column or count
/// changes are short and never block, so they skip the GC transition; a step or a reset may read or write the disk, and
/// keeps it.
/// </summary>
internal static unsafe class SqliteNative
{
    /// <summary>SQLite copies a bound text or blob before the call returns (SQLITE_TRANSIENT).</summary>
    private static readonly IntPtr Transient = -1;

    public static readonly delegate* unmanaged[Cdecl]<IntPtr, int> Step;
    public static readonly delegate* unmanaged[Cdecl]<IntPtr, int> Reset;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long> ColumnInt64;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnInt32;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, double> ColumnDouble;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, IntPtr> ColumnBlob;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnBytes;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnType;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int> BindInt64;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, double, int> BindDouble;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> BindNull;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int> bindBlob;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int> bindText;
    public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int> Changes;

    static SqliteNative()
    {
        var library = NativeLibrary.Load("e_sqlite3", typeof(SQLite3Provider_e_sqlite3).Assembly, null);
        IntPtr Export(string name) => NativeLibrary.GetExport(library, name);
        Step = (delegate* unmanaged[Cdecl]<IntPtr, int>)Export("sqlite3_step");
        Reset = (delegate* unmanaged[Cdecl]<IntPtr, int>)Export("sqlite3_reset");
        ColumnInt64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long>)Export("sqlite3_column_int64");
        ColumnInt32 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_column_int");
        ColumnDouble = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, double>)Export("sqlite3_column_double");
        ColumnBlob = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, IntPtr>)Export("sqlite3_column_blob");
        ColumnBytes = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_column_bytes");
        ColumnType = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_column_type");
        BindInt64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int>)Export("sqlite3_bind_int64");
        BindDouble = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, double, int>)Export("sqlite3_bind_double");
        BindNull = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_bind_null");
        bindBlob = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int>)Export("sqlite3_bind_blob");
        bindText = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int>)Export("sqlite3_bind_text");
        Changes = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int>)Export("sqlite3_changes");
    }

    /// <summary>Binds a blob (an empty one is a blob of no bytes, not NULL).</summary>
    public static int BindBlob(IntPtr stmt, int index, ReadOnlySpan<byte> value)
    {
        byte none = 0;
        fixed (byte* bytes = value)
        {
            return bindBlob(stmt, index, value.IsEmpty ? &none : bytes, value.Length, Transient);
        }
    }

    /// <summary>
    /// Binds bytes that SQLite reads where they are (SQLITE_STATIC), without copying them first: they must stay where
    /// they are, unchanged, until the statement has run (pinned memory).
    /// </summary>
    public static int BindBlobInPlace(IntPtr stmt, int index, byte* bytes, int length) => bindBlob(stmt, index, bytes, length, IntPtr.Zero);

    /// <summary>Binds a text, written as UTF-8 (an empty one is a text of no characters, not NULL).</summary>
    public static int BindText(IntPtr stmt, int index, string value)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        var rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[Math.Max(1, length)];
        System.Text.Encoding.UTF8.GetBytes(value, utf8);
        try
        {
            fixed (byte* bytes = utf8)
            {
                return bindText(stmt, index, bytes, length, Transient);
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A column's blob, valid until the statement steps again (empty for NULL or no bytes).</summary>
    public static ReadOnlySpan<byte> Blob(IntPtr stmt, int index)
    {
        var bytes = (byte*)ColumnBlob(stmt, index);
        return bytes is null ? [] : new ReadOnlySpan<byte>(bytes, ColumnBytes(stmt, index));
    }
}

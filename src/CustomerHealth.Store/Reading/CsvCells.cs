using System.Globalization;

namespace CustomerHealth.Store.Reading;

/// <summary>
/// Cells of the CSV files the product writes for people and their spreadsheets (the dashboard's downloads,
/// `chs export scores`): RFC 4180 quoting, and text that a spreadsheet would run as a formula defused.
/// </summary>
public static class CsvCells
{
    /// <summary>
    /// A text cell, quoted when needed. A value starting with = + - @ (or a tab or carriage return, which some
    /// spreadsheets skip before looking) gets a leading apostrophe, so `=HYPERLINK(...)` is shown, not run.
    /// </summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return Import.CsvRecordReader.Quote(value);
    }

    /// <summary>A number cell: invariant culture, at most two decimals; empty for none. Numbers are never defused.</summary>
    public static string Number(double? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "";
}

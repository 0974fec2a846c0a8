using CustomerHealth.Store.Import;

namespace CustomerHealth.Store.Tests.Import;

public class CsvRecordReaderTests
{
    private static List<(int Line, string[] Fields)> ReadAll(string text)
    {
        var reader = new CsvRecordReader(new StringReader(text));
        var records = new List<(int, string[])>();
        while (reader.Read() is { } record)
        {
            records.Add((reader.RecordLine, record));
        }
        return records;
    }

    [Theory]
    [InlineData("account_id;name;arr\nA1;\"Acme; Inc.\";12,5\n", ';', "Acme; Inc.", "12,5")]
    [InlineData("account_id\tname\tarr\nA1\tAcme, Inc.\t12\n", '\t', "Acme, Inc.", "12")]
    [InlineData("account_id,name,arr\nA1,\"Acme; Inc.\",12\n", ',', "Acme; Inc.", "12")]
    [InlineData("\"a;b\",c\nA1,x\n", ',', "x", null)]
    public void Read_TheSeparatorOfTheHeaderLine_IsFoundAndUsed(string text, char separator, string second, string? third)
    {
        var reader = new CsvRecordReader(new StringReader(text));
        reader.Read();
        reader.Separator.ShouldBe(separator);
        var row = reader.Read()!;
        row[1].ShouldBe(second);
        if (third is not null)
        {
            row[2].ShouldBe(third);
        }
    }

    [Fact]
    public void Read_AGivenSeparator_IsUsedWhateverTheHeaderHolds()
    {
        var reader = new CsvRecordReader(new StringReader("a,b;c\n1,2;3\n"), ';');
        reader.Read().ShouldBe(["a,b", "c"]);
        reader.Read().ShouldBe(["1,2", "3"]);
    }

    [Fact]
    public void Read_PlainRecords_SplitsOnCommasAndNumbersLines()
    {
        var records = ReadAll("a,b,c\n1,2,3\nx,y,z\n");

        records.Count.ShouldBe(3);
        records[0].Fields.ShouldBe(["a", "b", "c"]);
        records[1].Fields.ShouldBe(["1", "2", "3"]);
        records[2].Fields.ShouldBe(["x", "y", "z"]);
        records.Select(r => r.Line).ShouldBe([1, 2, 3]);
    }

    [Fact]
    public void Read_EmptyInput_ReturnsNull()
    {
        new CsvRecordReader(new StringReader("")).Read().ShouldBeNull();
    }

    [Fact]
    public void Read_QuotedFieldWithComma_KeepsTheComma()
    {
        var records = ReadAll("name,plan\n\"Acme, Inc.\",pro\n");

        records[1].Fields.ShouldBe(["Acme, Inc.", "pro"]);
    }

    [Fact]
    public void Read_DoubledQuotesInsideQuotes_BecomeOneQuote()
    {
        var records = ReadAll("comment\n\"She said \"\"great\"\"\"\n");

        records[1].Fields.ShouldBe(["She said \"great\""]);
    }

    [Fact]
    public void Read_NewlineInsideQuotes_IsPartOfTheFieldAndLaterLinesStayRight()
    {
        var records = ReadAll("id,comment\n1,\"first line\nsecond line\"\n2,plain\n3,\"a\r\nb\r\nc\"\n4,end\n");

        records.Count.ShouldBe(5);
        records[1].Fields.ShouldBe(["1", "first line\nsecond line"]);
        records[2].Fields.ShouldBe(["2", "plain"]);
        records[3].Fields.ShouldBe(["3", "a\r\nb\r\nc"]);
        records.Select(r => r.Line).ShouldBe([1, 2, 4, 5, 8]);
    }

    [Fact]
    public void Read_CrLfLineEndings_AreNotPartOfTheFields()
    {
        var records = ReadAll("a,b\r\n1,2\r\n3,4\r\n");

        records.Count.ShouldBe(3);
        records[1].Fields.ShouldBe(["1", "2"]);
        records[2].Fields.ShouldBe(["3", "4"]);
        records[2].Line.ShouldBe(3);
    }

    [Fact]
    public void Read_BlankLines_AreSkippedButCounted()
    {
        var records = ReadAll("a,b\n\n1,2\n\r\n\n3,4");

        records.Count.ShouldBe(3);
        records[1].Line.ShouldBe(3);
        records[2].Line.ShouldBe(6);
        records[2].Fields.ShouldBe(["3", "4"]);
    }

    [Fact]
    public void Read_EmptyFields_AreEmptyStrings()
    {
        var records = ReadAll("a,b,c\n1,,3\n,,\n\"\",x,\n");

        records[1].Fields.ShouldBe(["1", "", "3"]);
        records[2].Fields.ShouldBe(["", "", ""]);
        records[3].Fields.ShouldBe(["", "x", ""]);
    }

    [Fact]
    public void Read_NoNewlineAtEnd_ReadsTheLastRecord()
    {
        var records = ReadAll("a,b\n1,\"two\"");

        records.Count.ShouldBe(2);
        records[1].Fields.ShouldBe(["1", "two"]);
    }

    [Fact]
    public void Read_QuoteNotClosed_ThrowsWithTheLineTheRecordStarts()
    {
        var reader = new CsvRecordReader(new StringReader("a,b\n1,2\n3,\"never closed\nmore\n"));
        reader.Read();
        reader.Read();

        var e = Should.Throw<RowReadException>(() => reader.Read());

        e.Line.ShouldBe(3);
        e.Message.ShouldContain("not closed");
    }

    [Fact]
    public void Read_TextAfterClosingQuote_ThrowsWithItsLine()
    {
        var reader = new CsvRecordReader(new StringReader("a,b\n1,\"x\"y\n"));
        reader.Read();

        var e = Should.Throw<RowReadException>(() => reader.Read());

        e.Line.ShouldBe(2);
        e.Message.ShouldContain("doubled");
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("", "")]
    public void Quote_Value_QuotesOnlyWhenNeeded(string value, string expected)
    {
        CsvRecordReader.Quote(value).ShouldBe(expected);
    }

    [Fact]
    public void Quote_Null_IsEmpty()
    {
        CsvRecordReader.Quote(null).ShouldBe("");
    }

    [Fact]
    public void Quote_ThenRead_GivesTheValuesBack()
    {
        string[] values = ["a,b", "say \"hi\"", "x\r\ny", "", "plain", "\"", ",,,"];
        var line = string.Join(",", values.Select(v => CsvRecordReader.Quote(v)));

        var records = ReadAll(line + "\n");

        records.Single().Fields.ShouldBe(values);
    }

    [Theory]
    [InlineData(',', "\n")]
    [InlineData(';', "\r\n")]
    [InlineData('\t', "\n")]
    public void Read_ManyRecordsPastTheBuffer_GivesEveryValueLineAndRawTextBack(char separator, string lineBreak)
    {
        // Plain lines (read whole from the buffer), quoted ones with separators, quotes and line breaks inside (read
        // character by character), blank lines, and lines longer than the reader's buffer, over many buffer refills.
        var rnd = new Random(11);
        string[] pieces = ["a", "Acme", "42", "é", "x y", $"{separator}", "\"", "\n", "\r\n", "\r", ""];
        var text = new System.Text.StringBuilder();
        var expected = new List<(int Line, string[] Fields, string Raw)>();
        var line = 1;
        for (var r = 0; r < 4000; r++)
        {
            if (rnd.Next(50) == 0)
            {
                text.Append(lineBreak);
                line++;
            }
            var fields = new string[1 + rnd.Next(6)];
            for (var f = 0; f < fields.Length; f++)
            {
                var quoted = rnd.Next(8) == 0;
                var value = new System.Text.StringBuilder();
                var length = r % 997 == 5 && f == 0 ? 70_000 : rnd.Next(12);
                while (value.Length < length)
                {
                    var piece = quoted ? pieces[rnd.Next(pieces.Length)] : pieces[rnd.Next(5)];
                    value.Append(piece);
                }
                fields[f] = value.ToString();
            }
            if (fields is [""])
            {
                fields[0] = "z";
            }
            var raw = string.Join(separator, fields.Select(v => CsvRecordReader.Quote(v, separator)));
            expected.Add((line, fields, raw));
            text.Append(raw).Append(lineBreak);
            line += raw.Count(c => c == '\n') + 1;
        }

        var reader = new CsvRecordReader(new StringReader(text.ToString()), separator);
        foreach (var (at, fields, raw) in expected)
        {
            reader.Read().ShouldBe(fields);
            reader.RecordLine.ShouldBe(at);
            reader.RawText.ShouldBe(raw);
        }
        reader.Read().ShouldBeNull();
    }
}

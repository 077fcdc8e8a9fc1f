using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using ExamConsole.Data.Stores;

namespace ExamConsole.Api.Submissions.Spool;

/// <summary>
/// The spool's record format: [length u32 LE][CRC-32 of the payload u32 LE][payload], where the
/// payload is one JSON <see cref="SpoolRecord"/>. A record is whole only when its length and CRC
/// check out, so a crash in the middle of a write leaves a torn tail that reading detects.
/// </summary>
public static class SpoolFile
{
    public const int HeaderSize = 8;
    public const int MaxPayload = 1024 * 1024;

    public static byte[] Encode(SpoolRecord record)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(record, SpoolJsonContext.Default.SpoolRecord);
        var bytes = new byte[HeaderSize + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Crc32.HashToUInt32(payload));
        payload.CopyTo(bytes, HeaderSize);
        return bytes;
    }

    /// <summary>Reads every whole record; <c>ValidLength</c> is where the first torn or damaged one starts (the file length when none).</summary>
    public static (List<SpoolRecord> Records, long ValidLength) Read(string path)
    {
        var records = new List<SpoolRecord>();
        if (!File.Exists(path))
        {
            return (records, 0);
        }
        var data = File.ReadAllBytes(path);
        var offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < HeaderSize)
            {
                break;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4));
            if (length > MaxPayload || data.Length - offset - HeaderSize < length)
            {
                break;
            }
            var payload = data.AsSpan(offset + HeaderSize, (int)length);
            if (Crc32.HashToUInt32(payload) != crc)
            {
                break;
            }
            SpoolRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(payload, SpoolJsonContext.Default.SpoolRecord);
            }
            catch (JsonException)
            {
                break;
            }
            if (record is null)
            {
                break;
            }
            records.Add(record);
            offset += HeaderSize + (int)length;
        }
        return (records, offset);
    }
}

/// <summary>
/// One line of the spool: a submission, or the acknowledgement that it reached PostgreSQL. The
/// submission is the record the store writes, serialized with its property names as they are
/// (<c>{"Submission":{"SubmissionId":...,"AttemptId":...},"Replayed":null}</c>): records already on
/// disk are read back by the same contract.
/// </summary>
public sealed record SpoolRecord(AcceptedSubmission? Submission, Guid? Replayed);

[System.Text.Json.Serialization.JsonSerializable(typeof(SpoolRecord))]
internal sealed partial class SpoolJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

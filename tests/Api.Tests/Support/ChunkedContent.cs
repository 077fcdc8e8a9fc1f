using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ExamConsole.Api.Tests.Support;

/// <summary>A JSON body of unknown length: the client sends it chunked, with no Content-Length to refuse it by.</summary>
internal sealed class ChunkedContent : HttpContent
{
    private readonly byte[] _bytes;
    private readonly int _chunkBytes;

    /// <param name="json">The body.</param>
    /// <param name="chunkBytes">Bytes per write; the client frames each write as one chunk.</param>
    public ChunkedContent(string json, int chunkBytes = 8 * 1024)
    {
        _bytes = Encoding.UTF8.GetBytes(json);
        _chunkBytes = chunkBytes;
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < _bytes.Length; offset += _chunkBytes)
        {
            await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(_chunkBytes, _bytes.Length - offset)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

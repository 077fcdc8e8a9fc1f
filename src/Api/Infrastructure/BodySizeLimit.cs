using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// Caps request bodies of the API: 413 at once on a declared length over the cap; a body of unknown
/// length (chunked) is counted as it is read and refused with 413 at the first byte over the cap.
/// </summary>
public static class BodySizeLimit
{
    // Kestrel counts chunk framing toward MaxRequestBodySize, so with its limit at the cap a chunked body
    // well under the cap is refused (a body sent one byte per chunk, "1\r\nX\r\n", weighs six times its
    // size). The cap on the body itself is kept by CappedBodyStream; Kestrel's limit stays as the bound on
    // what a client may send, with room for the worst framing of a body within the cap.
    private const int WorstChunkFramingFactor = 6;

    public static IApplicationBuilder UseApiBodySizeLimit(this IApplicationBuilder app, long maxBytes) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                if (context.Request.ContentLength > maxBytes)
                {
                    await TypedResults.Problem(
                        $"The request body is larger than this API accepts ({maxBytes} bytes).",
                        statusCode: StatusCodes.Status413PayloadTooLarge,
                        title: "Request body too large").ExecuteAsync(context);
                    return;
                }
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                {
                    if (context.Request.ContentLength is null)
                    {
                        feature.MaxRequestBodySize = maxBytes * WorstChunkFramingFactor + 16;
                        context.Request.Body = new CappedBodyStream(context.Request.Body, maxBytes);
                    }
                    else
                    {
                        feature.MaxRequestBodySize = maxBytes;
                    }
                }
            }
            await next(context);
        });

    /// <summary>A read-only view of the request body that throws a 413 <see cref="BadHttpRequestException"/> past the cap.</summary>
    private sealed class CappedBodyStream(Stream inner, long maxBytes) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            if (_read > maxBytes)
            {
                throw new BadHttpRequestException(
                    $"The request body is larger than this API accepts ({maxBytes} bytes).", StatusCodes.Status413PayloadTooLarge);
            }
            return read;
        }
    }
}

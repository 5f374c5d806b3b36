package io.ampd.extract;

import io.ampd.registry.ProviderConfig;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an answer body into one array, up to the provider's {@code max_response_bytes}: a body
 * announced larger ({@code Content-Length}) is refused before it is read, and one that grows larger
 * is abandoned there (the connection is dropped), failing with {@link ResponseTooLargeException}.
 * Memory stays within the limit whatever the node sends.
 */
final class LimitedBody implements HttpResponse.BodyHandler<byte[]> {
  private final ProviderConfig provider;
  private final int calls;

  LimitedBody(ProviderConfig provider, int calls) {
    this.provider = provider;
    this.calls = calls;
  }

  @Override
  public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
    long announced = info.headers().firstValueAsLong("Content-Length").orElse(-1);
    return new Subscriber(announced);
  }

  private ResponseTooLargeException tooLarge(String size) {
    return new ResponseTooLargeException(
        "provider "
            + provider.name()
            + " answered a request of "
            + calls
            + (calls == 1 ? " call" : " calls")
            + " with "
            + size
            + ", more than its max_response_bytes = "
            + provider.maxResponseBytes()
            + "; raise max_response_bytes (the answer is held in memory) or lower batch_size");
  }

  private final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final long announced;
    private Flow.Subscription subscription;
    private byte[] bytes;
    private int size;

    Subscriber(long announced) {
      this.announced = announced;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (announced > provider.maxResponseBytes()) {
        subscription.cancel();
        body.completeExceptionally(tooLarge(announced + " bytes"));
        return;
      }
      bytes = new byte[(int) (announced >= 0 ? announced : Math.min(64 * 1024, limit()))];
      subscription.request(Long.MAX_VALUE);
    }

    private long limit() {
      return provider.maxResponseBytes();
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer b : buffers) {
        int n = b.remaining();
        if ((long) size + n > limit()) {
          subscription.cancel();
          body.completeExceptionally(tooLarge("over " + limit() + " bytes"));
          return;
        }
        if (size + n > bytes.length) {
          long grown = Math.max((long) size + n, Math.min(limit(), 2L * bytes.length));
          bytes = Arrays.copyOf(bytes, (int) grown);
        }
        b.get(bytes, size, n);
        size += n;
      }
    }

    @Override
    public void onError(Throwable throwable) {
      body.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      if (body.isDone()) {
        return;
      }
      body.complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
    }
  }
}

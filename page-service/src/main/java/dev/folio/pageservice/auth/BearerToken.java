package dev.folio.pageservice.auth;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Client side: sends a JWT as the {@code authorization: Bearer …} metadata of every call. */
public final class BearerToken extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
      Metadata.ASCII_STRING_MARSHALLER);

  private final String token;

  public BearerToken(String token) {
    this.token = token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    Metadata m = new Metadata();
    m.put(AUTHORIZATION, "Bearer " + token);
    applier.apply(m);
  }
}

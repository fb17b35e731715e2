package dev.folio.pageservice.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Checks the bearer token of every call (the {@code authorization} metadata) and hands the
 * caller's {@link Principal} to the service through the gRPC context; a call without a valid
 * token ends with UNAUTHENTICATED before it reaches the service.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Context.Key<Principal> PRINCIPAL = Context.key("folio-principal");
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
      Metadata.ASCII_STRING_MARSHALLER);

  private final JwtAuthenticator authenticator;

  public AuthInterceptor(JwtAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      call.close(Status.UNAUTHENTICATED.withDescription("no bearer token in the authorization metadata"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Principal principal;
    try {
      principal = authenticator.verify(header.substring(7).trim());
    } catch (JwtAuthenticator.Rejected e) {
      call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal), call, headers, next);
  }
}

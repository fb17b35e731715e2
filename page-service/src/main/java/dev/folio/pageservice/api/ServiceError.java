package dev.folio.pageservice.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A request that cannot be answered, with the gRPC status a client sees and Folio's own reason
 * code, sent in the {@code folio-error-code} trailer so that clients can tell apart failures that
 * share a status (an unknown timeline and a page nobody wrote are both NOT_FOUND).
 */
public final class ServiceError extends RuntimeException {
  public static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("folio-error-code",
      Metadata.ASCII_STRING_MARSHALLER);

  private final Status.Code status;
  private final String code;

  public ServiceError(Status.Code status, String code, String message) {
    this(status, code, message, null);
  }

  public ServiceError(Status.Code status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  public static ServiceError invalid(String message) {
    return new ServiceError(Status.Code.INVALID_ARGUMENT, "BAD_REQUEST", message);
  }

  public Status.Code status() {
    return status;
  }

  public String code() {
    return code;
  }

  public StatusRuntimeException toStatus() {
    Metadata trailers = new Metadata();
    trailers.put(ERROR_CODE, code);
    Status s = Status.fromCode(status).withDescription(code + ": " + getMessage());
    return s.withCause(getCause()).asRuntimeException(trailers);
  }
}

package dev.folio.testsupport;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a test a real Kafka broker ({@link KafkaEndpoint}) and a real S3 endpoint ({@link
 * S3Endpoint}) as parameters. The broker and endpoint are shared by the tests of one JVM, started
 * on first use and stopped when the tests end; each test gets its own topic prefix and key prefix.
 * Use it through {@link RealInfra}.
 */
public final class RealInfraExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealInfraExtension.class);
  private static final AtomicInteger TESTS = new AtomicInteger();

  /** Lets JUnit close the shared infrastructure when the whole test run ends. */
  private record Shared(Infra infra) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      infra.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KafkaEndpoint.class || type == S3Endpoint.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Infra infra = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("infra", key -> new Shared(Infra.choose()), Shared.class).infra();
    String prefix = context.getStore(NAMESPACE).getOrComputeIfAbsent("prefix", key -> prefixFor(context), String.class);
    if (parameter.getParameter().getType() == KafkaEndpoint.class) {
      return new KafkaEndpoint(infra.kafkaBootstrapServers(), prefix + ".");
    }
    return new S3Endpoint(infra.s3Endpoint(), EmbeddedS3.REGION, Infra.ACCESS_KEY, Infra.SECRET_KEY, Infra.BUCKET,
        prefix + "/");
  }

  /** e.g. {@code t12-walwritertest-fencing}: unique in the run, legal as a topic name and a key. */
  private static String prefixFor(ExtensionContext context) {
    String name = context.getTestClass().map(Class::getSimpleName).orElse("test")
        + context.getTestMethod().map(m -> "-" + m.getName()).orElse("");
    String clean = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "");
    return "t" + TESTS.incrementAndGet() + "-" + clean.substring(0, Math.min(clean.length(), 60));
  }
}

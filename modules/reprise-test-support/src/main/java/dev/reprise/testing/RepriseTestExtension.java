package dev.reprise.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the shared test infrastructure once per test JVM (in the root store, so JUnit closes it
 * after the last test) and injects {@link RepriseTestEnvironment} parameters.
 */
public final class RepriseTestExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RepriseTestExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    environment(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RepriseTestEnvironment.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return environment(context);
  }

  private static RepriseTestEnvironment environment(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            SharedInfrastructure.class, key -> SharedInfrastructure.start(), SharedInfrastructure.class)
        .environment();
  }
}

package dev.reprise.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test that runs against a real Kafka broker and a real schema registry. Test
 * methods and constructors may take a {@link RepriseTestEnvironment} parameter.
 *
 * <pre>{@code
 * @RepriseIntegrationTest
 * class ReplayIT {
 *   @Test
 *   void shouldReplay(RepriseTestEnvironment env) {
 *     String topic = env.createTopic("submissions", 3);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Which broker: {@code REPRISE_TEST_BOOTSTRAP_SERVERS} if set (an existing cluster); else
 * Testcontainers Kafka if {@code -Dreprise.testcontainers=true} (skipped when no Docker engine is
 * reachable); else an in-process KRaft broker. Which registry: {@code
 * REPRISE_TEST_SCHEMA_REGISTRY_URL} if set; else Apicurio Registry as a child process on that
 * broker. Every test method times out after 5 minutes unless it says otherwise.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RepriseTestExtension.class)
@Tag("integration")
@Timeout(300)
public @interface RepriseIntegrationTest {}

/**
 * JUnit 5 support for Reprise's integration tests: {@link dev.reprise.testing.RepriseIntegrationTest}
 * gives every test class a real Kafka broker and a real schema registry, shared per test JVM.
 */
package dev.reprise.testing;

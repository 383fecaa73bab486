/**
 * The real parts Reprise runs on when no cluster is given: a single-node KRaft Kafka broker in
 * process ({@link dev.reprise.embedded.EmbeddedKafkaBroker}) and Apicurio Registry as a child
 * process ({@link dev.reprise.embedded.ApicurioRegistryProcess}), both on 127.0.0.1 only.
 */
package dev.reprise.embedded;

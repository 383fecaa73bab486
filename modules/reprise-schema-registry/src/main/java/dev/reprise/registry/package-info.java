/**
 * A small client for the Confluent Schema Registry REST API (also served by Karapace, Redpanda and
 * Apicurio's {@code /apis/ccompat/v7} endpoint): register and look up Avro schemas, cached.
 */
package dev.reprise.registry;

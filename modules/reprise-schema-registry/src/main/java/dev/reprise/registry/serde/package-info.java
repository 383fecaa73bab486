/**
 * Kafka serializers for Avro records in the Confluent wire format: magic byte {@code 0}, the
 * 4-byte big-endian schema id, then Avro binary. Records written by Confluent's {@code
 * KafkaAvroSerializer} are read here and the other way round.
 */
package dev.reprise.registry.serde;

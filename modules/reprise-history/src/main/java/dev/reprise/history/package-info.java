/**
 * A deterministic generator of realistic submission history, mixed-version and partly dirty, and a
 * writer that puts it into a compacted Kafka topic through the schema registry. It is what the
 * demo, the tests and the benchmarks replay.
 */
package dev.reprise.history;

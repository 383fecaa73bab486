package dev.reprise.cli;

import dev.reprise.registry.ConfluentSchemaRegistryClient;
import dev.reprise.workflow.WorkflowRuntime;
import dev.reprise.workflow.WorkflowTopics;
import dev.reprise.workflow.api.Effect;
import dev.reprise.workflow.api.EffectSink;
import dev.reprise.workflow.api.Event;
import dev.reprise.workflow.api.Workflow;
import dev.reprise.workflow.api.WorkflowContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reprise bench app}: one side of {@code bench workflow} in a JVM of its own: either the
 * baseline (a bare {@code exactly_once_v2} Kafka Streams app that dedups records by key in a
 * persistent store) or a Reprise workflow with effects suppressed. Runs until it has handled
 * {@code --records} records and prints one JSON line.
 */
@Command(name = "app", hidden = true, mixinStandardHelpOptions = true,
    description = "One side of 'bench workflow': --mode dedup (bare Kafka Streams) or --mode workflow (Reprise).")
final class BenchAppCommand implements Callable<Integer> {

  @Option(names = "--mode", required = true) String mode;
  @Option(names = "--bootstrap-server", required = true) String bootstrapServers;
  @Option(names = "--schema-registry") String schemaRegistryUrl;
  @Option(names = "--topic", required = true, description = "The backfill topic to read.") String topic;
  @Option(names = "--backfill", description = "Its backfill id (workflow mode).") String backfillId;
  @Option(names = "--records", required = true) long records;
  @Option(names = "--state-dir", required = true) Path stateDirectory;
  @Option(names = "--run", required = true, description = "Names the app, its group and its topics (see groupOf).")
  String run;
  @Option(names = "--linger", description = "After the last record, wait until standard input closes.")
  boolean linger;

  private static final AtomicLong HANDLED = new AtomicLong();

  /** The consumer group (Streams application id) that {@code mode} runs as for {@code run}. */
  static String groupOf(String mode, String run) {
    return "dedup".equals(mode) ? "bench-dedup-" + run : WorkflowTopics.applicationId("bench-" + run);
  }

  @Override
  public Integer call() throws Exception {
    AutoCloseable app = "dedup".equals(mode) ? dedupApp(run) : workflowApp(run);
    try (app) {
      // The driver times this side by its committed offsets; this wait only bounds a stuck app.
      long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
      while (HANDLED.get() < records) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("handled " + HANDLED.get() + " of " + records + " records in 15 minutes");
        }
        Thread.sleep(10);
      }
      System.out.println("{\"handled\": " + HANDLED.get() + "}");
      System.out.flush();
      if (linger) {
        BenchSupport.lingerUntilStdinCloses();
      }
    }
    return 0;
  }

  private AutoCloseable dedupApp(String run) throws Exception {
    String output = "bench-dedup-out-" + run;
    try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", bootstrapServers))) {
      int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(output,
          java.util.Optional.of(partitions), java.util.Optional.empty()))).all().get();
    }
    Topology topology = new Topology();
    topology.addSource("in", Serdes.Bytes().deserializer(), Serdes.ByteArray().deserializer(), topic);
    topology.addProcessor("dedup", DedupByKey::new, "in");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("seen"), Serdes.Bytes(),
        Serdes.Long()), "dedup");
    topology.addSink("out", output, Serdes.Bytes().serializer(), Serdes.ByteArray().serializer(), "dedup");
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, groupOf("dedup", run));
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
    properties.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    properties.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.NO_OPTIMIZATION);
    KafkaStreams streams = new KafkaStreams(topology, properties);
    streams.start();
    return () -> streams.close(Duration.ofSeconds(30));
  }

  /** The baseline: forward a record the first time its key is seen. */
  private static final class DedupByKey implements Processor<Bytes, byte[], Bytes, byte[]> {
    private ProcessorContext<Bytes, byte[]> context;
    private KeyValueStore<Bytes, Long> seen;

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
      this.context = context;
      this.seen = context.getStateStore("seen");
    }

    @Override
    public void process(Record<Bytes, byte[]> record) {
      if (seen.get(record.key()) == null) {
        seen.put(record.key(), context.currentSystemTimeMs());
        context.forward(record);
      }
      HANDLED.incrementAndGet();
    }
  }

  private AutoCloseable workflowApp(String run) {
    var registry = ConfluentSchemaRegistryClient.create(schemaRegistryUrl);
    Workflow workflow = new Workflow() {
      @Override
      public String name() {
        return "bench-" + run;
      }

      @Override
      public void handle(Event event, WorkflowContext context) {
        context.perform(Effect.of("webhook", event.id(), "POST " + event.id()));
        HANDLED.incrementAndGet();
      }
    };
    EffectSink neverCalled = new EffectSink() {
      @Override
      public String name() {
        return "webhook";
      }

      @Override
      public void perform(Effect effect) {
        throw new IllegalStateException("effects are suppressed in this benchmark");
      }
    };
    WorkflowRuntime runtime = WorkflowRuntime.builder().bootstrapServers(bootstrapServers).schemaRegistry(registry)
        .workflow(workflow).sink(neverCalled).backfills(Set.of(backfillId)).stateDirectory(stateDirectory).build().start();
    return () -> {
      runtime.close();
      registry.close();
    };
  }
}

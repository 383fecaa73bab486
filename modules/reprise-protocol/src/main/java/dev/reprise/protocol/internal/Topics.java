package dev.reprise.protocol.internal;

import dev.reprise.core.RepriseNonRetriableException;
import dev.reprise.core.RepriseRetriableException;
import dev.reprise.protocol.ControlTopics;
import dev.reprise.protocol.WorkflowDeclarations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics Reprise owns, idempotently, and checks the ones that already exist. */
public final class Topics {

  private static final Logger log = LoggerFactory.getLogger(Topics.class);

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Topics() {}

  /**
   * Creates {@link ControlTopics#REQUESTS}, {@link ControlTopics#STATUS}, {@link
   * ControlTopics#AUDIT}, the workflow declarations and the coordinator announcements if missing.
   * Requests keep 30 days; statuses are compacted with small segments so a reader catching up reads
   * little more than one status per backfill; the audit trail is kept forever (a cluster's operators
   * shorten {@code retention.ms} if their rules say so).
   */
  public static void ensureControlTopics(Admin admin, int partitions, Optional<Short> replicationFactor) {
    controlTopics(partitions, replicationFactor).forEach(topic -> create(admin, topic));
    ensureCompacted(admin, WorkflowDeclarations.TOPIC);
    ensureCompacted(admin, dev.reprise.protocol.CoordinatorAnnouncements.TOPIC);
  }

  /** Creates the request topic of {@code team} if missing, kept like {@link ControlTopics#REQUESTS}. */
  public static void ensureTeamTopic(Admin admin, String team, int partitions, Optional<Short> replicationFactor) {
    create(admin, requestTopic(ControlTopics.teamRequests(team), partitions, replicationFactor));
  }

  /**
   * What a client (a requester, a dashboard) does: the control topics and, for a team, its request
   * topic, each skipped if it may not create it. On a secured cluster requesters have no CREATE:
   * the coordinator (or an operator) creates the topics, and a missing one shows up as a clear
   * error where it is used.
   */
  public static void ensureClientTopics(Admin admin, Optional<String> team) {
    List<NewTopic> topics = new ArrayList<>(controlTopics(6, Optional.empty()));
    team.ifPresent(name -> topics.add(requestTopic(ControlTopics.teamRequests(name), 6, Optional.empty())));
    for (NewTopic topic : topics) {
      try {
        create(admin, topic);
      } catch (NotAllowedException e) {
        log.debug("not creating {}: {}", topic.name(), e.getMessage());
      }
    }
  }

  private static List<NewTopic> controlTopics(int partitions, Optional<Short> replicationFactor) {
    return List.of(
        requestTopic(ControlTopics.REQUESTS, partitions, replicationFactor),
        new NewTopic(ControlTopics.AUDIT, Optional.of(partitions), replicationFactor).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1")),
        new NewTopic(ControlTopics.STATUS, Optional.of(partitions), replicationFactor).configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024),
            TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()),
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1")));
  }

  private static NewTopic requestTopic(String name, int partitions, Optional<Short> replicationFactor) {
    return new NewTopic(name, Optional.of(partitions), replicationFactor)
        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(30).toMillis())));
  }

  /** Not allowed to create a topic (no CREATE ACL): nothing to retry. */
  public static final class NotAllowedException extends RepriseNonRetriableException {
    NotAllowedException(String message) {
      super(message);
    }
  }

  /** Creates {@code topic}, compacted with one partition (a small table of the control plane), unless it exists. */
  public static void ensureCompacted(Admin admin, String topic) {
    create(admin, new NewTopic(topic, Optional.of(1), Optional.empty())
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
  }

  /**
   * Creates each of {@code topics} that is missing, in one request, then checks their partition
   * counts: a backfill's topics are made together, so its first record waits for one round trip,
   * not one per topic.
   */
  public static void ensure(Admin admin, NewTopic... topics) {
    create(admin, List.of(topics));
    for (NewTopic topic : topics) {
      // A topic just created may not be in every broker's metadata yet: describing it can still
      // say "unknown" for a moment.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      long pause = 10;
      TopicDescription description;
      while ((description = describeIfExists(admin, topic.name())) == null) {
        if (System.nanoTime() > deadline) {
          throw new RepriseRetriableException("topic '" + topic.name() + "' was created but is still unknown after "
              + TIMEOUT);
        }
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RepriseRetriableException("interrupted while waiting for topic '" + topic.name() + "'", e);
        }
        pause = Math.min(200, pause * 2);
      }
      int actual = description.partitions().size();
      if (topic.numPartitions() > 0 && actual != topic.numPartitions()) {
        throw new RepriseNonRetriableException("topic '" + topic.name() + "' exists with " + actual
            + " partitions, but " + topic.numPartitions() + " are needed (same partition as the source for every key)");
      }
    }
  }

  /**
   * Whether {@code topic}'s {@code cleanup.policy} includes {@code compact}; false when it cannot be
   * told (a client without DescribeConfigs), which only changes what is logged.
   */
  public static boolean isCompacted(Admin admin, String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      var policy = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
      return policy != null && policy.value() != null && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    } catch (ExecutionException | TimeoutException e) {
      log.debug("cannot describe the configs of '{}': {}", topic, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The topic's description; a missing topic is a non-retriable error naming it. */
  public static TopicDescription describe(Admin admin, String topic) {
    TopicDescription description = describeIfExists(admin, topic);
    if (description == null) {
      throw new RepriseNonRetriableException("topic '" + topic + "' does not exist");
    }
    return description;
  }

  private static TopicDescription describeIfExists(Admin admin, String topic) {
    try {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return null;
      }
      throw new RepriseRetriableException("cannot describe topic '" + topic + "': " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepriseRetriableException("interrupted while describing '" + topic + "'", e);
    } catch (TimeoutException e) {
      throw new RepriseRetriableException("cannot describe topic '" + topic + "' within " + TIMEOUT, e);
    }
  }

  private static void create(Admin admin, NewTopic topic) {
    create(admin, List.of(topic));
  }

  private static void create(Admin admin, List<NewTopic> topics) {
    var results = admin.createTopics(topics).values();
    for (NewTopic topic : topics) {
      try {
        results.get(topic.name()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
          throw new NotAllowedException("not allowed to create topic '" + topic.name() + "': "
              + e.getCause().getMessage());
        }
        if (e.getCause() instanceof org.apache.kafka.common.errors.InvalidTopicException
            || e.getCause() instanceof org.apache.kafka.common.errors.InvalidConfigurationException
            || e.getCause() instanceof org.apache.kafka.common.errors.PolicyViolationException) {
          // Retrying changes nothing (a name colliding with another topic's, a config the cluster refuses).
          throw new RepriseNonRetriableException("cannot create topic '" + topic.name() + "': "
              + e.getCause().getMessage(), e.getCause());
        }
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new RepriseRetriableException("cannot create topic '" + topic.name() + "': " + e.getCause(),
              e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RepriseRetriableException("interrupted while creating '" + topic.name() + "'", e);
      } catch (TimeoutException e) {
        throw new RepriseRetriableException("cannot create topic '" + topic.name() + "' within " + TIMEOUT, e);
      }
    }
  }
}

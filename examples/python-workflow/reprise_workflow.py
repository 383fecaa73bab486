#!/usr/bin/python3
"""A Reprise workflow written in Python, on librdkafka (confluent-kafka) and the Apache Avro library.

It uses nothing of Reprise's code: only the topic contract (schemas/asyncapi.yaml) and the schema
files under schemas/. It is the example of a workflow a team writes in its own stack:

- declares itself on reprise.workflows (the coordinator refuses a request naming a workflow it
  knows nothing of), for the 'submissions' event type, effects allowed in replays;
- follows every backfill topic (reprise.backfill.<id>, not its .dlq) as consumer group
  reprise.workflow.<name> with isolation.level=read_committed, so it sees exactly what each
  backfill committed and the coordinator can watch its lag;
- acts on a backfill only if the backfill's request (its status on reprise.status) names this
  workflow; its effect (a webhook POST with an Idempotency-Key) runs only if the request's
  effectsPolicy is ENABLE, and is otherwise SUPPRESSED (recorded, not performed);
- keeps its own dedup by the documented event id (for submissions: submissionId#revision): an event
  it handled before gets a DUPLICATE receipt and no second effect;
- writes one receipt per event to reprise.workflow.<name>.receipts, in the same Kafka transaction as
  its input offsets (sendOffsetsToTransaction), so that `reprise verify` checks it like a Java one.

Its dedup state is its receipts topic: at start it reads its committed receipts back. A crash
between a webhook call and the commit repeats the call after the restart with the same
Idempotency-Key, which the webhook answers once (effectively once, as Reprise's own runtime).

  python3 reprise_workflow.py --workflow py-notify --webhook http://127.0.0.1:8089/hook \\
      --bootstrap-servers 127.0.0.1:9092 --schema-registry http://127.0.0.1:8081/apis/ccompat/v7

Needs Debian's python3-confluent-kafka and python3-avro.
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import signal
import struct
import sys
import time
import urllib.error
import urllib.request

import avro.io
import avro.schema
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

EVENT_TYPE = "submissions"
BACKFILL_PREFIX = "reprise.backfill."
STATUS_TOPIC = "reprise.status"
DECLARATIONS_TOPIC = "reprise.workflows"
MAGIC = 0


def log(message):
    print(f"reprise-workflow: {message}", file=sys.stderr, flush=True)


class Registry:
    """The Confluent-compatible schema registry API: register by subject, fetch by id (cached)."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.by_id = {}

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def register(self, subject, schema_text):
        return self._call("POST", f"/subjects/{subject}/versions", {"schema": schema_text})["id"]

    def schema(self, schema_id):
        if schema_id not in self.by_id:
            self.by_id[schema_id] = avro.schema.parse(self._call("GET", f"/schemas/ids/{schema_id}")["schema"])
        return self.by_id[schema_id]


def decode(registry, value):
    """A value in the registry's wire format: byte 0, a 4-byte schema id, the Avro binary."""
    if value is None or len(value) < 5 or value[0] != MAGIC:
        raise ValueError("not in the registry's wire format")
    schema = registry.schema(struct.unpack(">I", value[1:5])[0])
    return schema, avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))


def encode(schema_id, schema, datum):
    out = io.BytesIO()
    out.write(struct.pack(">bI", MAGIC, schema_id))
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(out))
    return out.getvalue()


def checksum(schema, event):
    """The event's checksum as the contract defines it: the first 8 bytes of SHA-256 over its Avro
    binary in the latest schema, map entries in key order, as 16 hex digits."""
    canonical = dict(event)
    for field in schema.fields:
        if field.type.type == "map" and isinstance(canonical.get(field.name), dict):
            canonical[field.name] = dict(sorted(canonical[field.name].items()))
    out = io.BytesIO()
    avro.io.DatumWriter(schema).write(canonical, avro.io.BinaryEncoder(out))
    return hashlib.sha256(out.getvalue()).hexdigest()[:16]


def event_id(event):
    """The submissions event type's documented identity: submissionId#revision."""
    return f"{event['submissionId']}#{event['revision']}"


def event_day(event):
    """The ISO date (UTC) of the event's own time: submittedAt for submissions."""
    submitted = event["submittedAt"]
    if isinstance(submitted, datetime.datetime):
        return submitted.astimezone(datetime.timezone.utc).date().isoformat()
    return datetime.datetime.fromtimestamp(submitted / 1000, datetime.timezone.utc).date().isoformat()


def parse_file(path):
    with open(path) as f:
        return avro.schema.parse(f.read())


class Statuses:
    """What each backfill asks, from its latest status on reprise.status (read_committed, read to its
    end whenever a backfill is not known yet)."""

    def __init__(self, config, registry):
        self.registry = registry
        self.requests = {}
        self.consumer = Consumer({**config, "group.id": "unused", "enable.auto.commit": False,
                                  "isolation.level": "read_committed"})
        metadata = self.consumer.list_topics(STATUS_TOPIC, timeout=30).topics[STATUS_TOPIC]
        if metadata.error is not None:
            raise RuntimeError(f"{STATUS_TOPIC}: {metadata.error}")
        self.partitions = [TopicPartition(STATUS_TOPIC, p, 0) for p in metadata.partitions]
        self.consumer.assign(self.partitions)

    def request(self, backfill_id):
        if backfill_id not in self.requests:
            self._catch_up()
        return self.requests.get(backfill_id)

    def _catch_up(self):
        def keep(message):
            _, status = decode(self.registry, message.value())
            if status.get("request") is not None:
                self.requests[status["backfillId"]] = status["request"]

        read_to_end(self.consumer, STATUS_TOPIC, [p.partition for p in self.partitions], keep)


def read_to_end(consumer, topic, partitions, on_value):
    """Reads the assigned partitions of topic up to their ends now, passing each value to on_value.
    Transaction markers take offsets too, so the consumer's position, not the last record, tells
    when a partition is read."""
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in partitions}
    todo = {p for p, end in ends.items() if end > 0}
    while todo:
        for message in consumer.consume(500, timeout=0.5):
            if message.error() is None and message.value() is not None:
                on_value(message)
        for position in consumer.position([TopicPartition(topic, p) for p in list(todo)]):
            if position.offset >= ends[position.partition]:
                todo.discard(position.partition)


class Workflow:
    def __init__(self, args):
        self.name = args.workflow
        self.webhook = args.webhook
        self.config = {"bootstrap.servers": args.bootstrap_servers}
        self.registry = Registry(args.schema_registry)
        schemas = args.schemas_dir
        self.receipt_schema = parse_file(os.path.join(schemas, "workflow", "receipt-v1.avsc"))
        self.declaration_schema = parse_file(os.path.join(schemas, "control", "workflow-declaration-v1.avsc"))
        self.latest = parse_file(os.path.join(schemas, "submissions", "submission-v3.avsc"))
        self.receipts_topic = f"reprise.workflow.{self.name}.receipts"
        self.group = f"reprise.workflow.{self.name}"
        self.handled = set()
        self.stopping = False
        self.counts = {}

    def start(self, ready_file):
        self._create_receipts_topic()
        self.receipt_id = self.registry.register(f"{self.receipts_topic}-value", str(self.receipt_schema))
        self._declare()
        self._load_dedup()
        self.statuses = Statuses(self.config, self.registry)
        # Java clients partition by murmur2 of the key; so do we, so that a key lands where theirs would.
        self.producer = Producer({**self.config, "transactional.id": f"{self.group}.python",
                                  "partitioner": "murmur2_random", "enable.idempotence": True})
        self.producer.init_transactions(30)
        self.consumer = Consumer({**self.config, "group.id": self.group, "isolation.level": "read_committed",
                                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                                  "topic.metadata.refresh.interval.ms": 2000})
        # librdkafka's regex has no look-ahead: .dlq topics are matched too, and passed by below.
        self.consumer.subscribe(["^reprise\\.backfill\\..+"])
        log(f"workflow '{self.name}' following backfill topics as group {self.group}; "
            f"{len(self.handled)} events handled before")
        if ready_file:
            partial = ready_file + ".partial"
            with open(partial, "w") as f:
                f.write(f"ready=true\nworkflow={self.name}\npid={os.getpid()}\n")
            os.replace(partial, ready_file)

    def _create_receipts_topic(self):
        admin = AdminClient(self.config)
        futures = admin.create_topics([NewTopic(self.receipts_topic, num_partitions=6, replication_factor=-1)])
        for topic, future in futures.items():
            try:
                future.result(30)
            except KafkaException as e:
                if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise

    def _declare(self):
        schema_id = self.registry.register(f"{DECLARATIONS_TOPIC}-value", str(self.declaration_schema))
        declaration = {"workflow": self.name, "effectsInReplay": "ALLOWED", "reason": None, "liveTopics": [],
                       "declaredAt": datetime.datetime.now(datetime.timezone.utc), "eventType": EVENT_TYPE}
        producer = Producer({**self.config, "enable.idempotence": True})
        producer.produce(DECLARATIONS_TOPIC, key=self.name.encode(),
                         value=encode(schema_id, self.declaration_schema, declaration))
        if producer.flush(30) != 0:
            raise RuntimeError(f"could not publish the declaration of '{self.name}'")

    def _load_dedup(self):
        """The events handled before: every committed receipt but a FAILED one."""
        consumer = Consumer({**self.config, "group.id": "unused", "enable.auto.commit": False,
                             "isolation.level": "read_committed"})
        topic = consumer.list_topics(self.receipts_topic, timeout=30).topics[self.receipts_topic]
        consumer.assign([TopicPartition(self.receipts_topic, p, 0) for p in topic.partitions])

        def keep(message):
            _, receipt = decode(self.registry, message.value())
            if receipt["outcome"] != "FAILED":
                self.handled.add(receipt["eventId"])

        read_to_end(consumer, self.receipts_topic, list(topic.partitions), keep)
        consumer.close()

    def run(self):
        while not self.stopping:
            messages = self.consumer.consume(500, timeout=0.5)
            if not messages:
                continue
            self.producer.begin_transaction()
            offsets = {}
            for message in messages:
                if message.error() is not None:
                    # Until a first backfill topic exists, the pattern matches none: not a fault.
                    if message.error().code() not in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                        log(f"consumer: {message.error()}")
                    continue
                self.handle(message)
                offsets[(message.topic(), message.partition())] = message.offset() + 1
            self.producer.send_offsets_to_transaction(
                [TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                self.consumer.consumer_group_metadata(), 30)
            self.producer.commit_transaction(30)
        self.consumer.close()
        log(f"workflow '{self.name}' stopped: {self.counts}")

    def handle(self, message):
        topic = message.topic()
        if topic.endswith(".dlq") or message.value() is None:
            return
        backfill_id = topic[len(BACKFILL_PREFIX):]
        request = self.statuses.request(backfill_id)
        if request is None:
            log(f"no status for backfill '{backfill_id}': its records are passed by")
            return
        if self.name not in request["workflows"] or request.get("eventType") not in (None, EVENT_TYPE):
            return  # a backfill for others: not ours to act on
        schema, event = decode(self.registry, message.value())
        key = event_id(event)
        day = event_day(event)
        if [f.name for f in schema.fields] != [f.name for f in self.latest.fields]:
            self.receipt(backfill_id, key, day, "", "FAILED", [],
                         f"replayed as {schema.fullname} with other fields than the latest version this workflow knows")
            return
        sum_ = checksum(schema, event)
        if key in self.handled:
            self.receipt(backfill_id, key, day, sum_, "DUPLICATE", [], None)
            return
        effect = f"POST {key}"
        if request["effectsPolicy"] == "ENABLE":
            try:
                self.post(key, event, backfill_id)
            except (urllib.error.URLError, OSError) as e:
                self.receipt(backfill_id, key, day, sum_, "FAILED", [effect], f"webhook: {e}")
                return
            outcome = "PROCESSED"
        else:
            outcome = "SUPPRESSED"
        self.handled.add(key)
        self.receipt(backfill_id, key, day, sum_, outcome, [effect], None)

    def post(self, key, event, backfill_id):
        body = json.dumps({"workflow": self.name, "eventId": key, "backfillId": backfill_id,
                           "formId": event["formId"]}).encode()
        for attempt in range(5):
            request = urllib.request.Request(self.webhook, data=body, method="POST", headers={
                "Content-Type": "application/json", "Idempotency-Key": f"{self.name}:{key}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if 200 <= response.status < 300:
                        return
            except urllib.error.HTTPError as e:
                if e.code < 500 and e.code != 429:
                    raise
                if attempt == 4:
                    raise
            except (urllib.error.URLError, OSError):
                if attempt == 4:
                    raise
            time.sleep(0.2 * 2 ** attempt)  # back-off between webhook retries

    def receipt(self, backfill_id, key, day, sum_, outcome, effects, detail):
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        receipt = {"workflow": self.name, "backfillId": backfill_id, "eventId": key, "eventDay": day,
                   "checksum": sum_, "outcome": outcome, "effects": effects, "detail": detail,
                   "targets": [], "payloadSample": None}
        self.producer.produce(self.receipts_topic, key=key.encode(),
                              value=encode(self.receipt_id, self.receipt_schema, receipt))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow", default="py-notify")
    parser.add_argument("--webhook", required=True, help="URL each effect is POSTed to, with an Idempotency-Key")
    parser.add_argument("--bootstrap-servers", default=os.environ.get("REPRISE_BOOTSTRAP_SERVERS"))
    parser.add_argument("--schema-registry", default=os.environ.get("REPRISE_SCHEMA_REGISTRY_URL"))
    parser.add_argument("--schemas-dir", default=os.path.join(here, "..", "..", "schemas"))
    parser.add_argument("--ready-file", help="written once the workflow follows the backfill topics")
    args = parser.parse_args()
    if not args.bootstrap_servers or not args.schema_registry:
        parser.error("--bootstrap-servers and --schema-registry (or REPRISE_BOOTSTRAP_SERVERS and"
                     " REPRISE_SCHEMA_REGISTRY_URL, as `reprise up --print-env` prints them) are required")
    workflow = Workflow(args)

    def stop(signum, frame):
        workflow.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workflow.start(args.ready_file)
    try:
        workflow.run()
    finally:
        if args.ready_file and os.path.exists(args.ready_file):
            os.remove(args.ready_file)


if __name__ == "__main__":
    main()

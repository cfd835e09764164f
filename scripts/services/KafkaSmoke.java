// Kafka round-trip used by scripts/services/check.sh, run as a single-file
// source program against the broker's own jars (no build step, no npm):
//   java -cp '.cache/kafka/libs/*' scripts/services/KafkaSmoke.java 127.0.0.1:9092
// Creates a fresh topic, produces one record, consumes it back, deletes the topic.
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaSmoke {
  public static void main(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    String topic = "services-smoke-" + System.currentTimeMillis();
    String value = "hello from KafkaSmoke " + ProcessHandle.current().pid();
    long t0 = System.nanoTime();

    Properties common = new Properties();
    common.put("bootstrap.servers", bootstrap);
    common.put("request.timeout.ms", "15000");
    common.put("default.api.timeout.ms", "30000");

    try (Admin admin = Admin.create(common)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      try {
        Properties p = new Properties();
        p.putAll(common);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
          producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
        }

        Properties c = new Properties();
        c.putAll(common);
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        c.put("enable.auto.commit", "false");
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
          consumer.assign(List.of(tp));
          consumer.seekToBeginning(List.of(tp));
          long deadline = System.currentTimeMillis() + 30_000;
          while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
              if (value.equals(r.value())) {
                System.out.printf("kafka smoke ok: %s produced and consumed on %s in %d ms%n",
                    topic, bootstrap, (System.nanoTime() - t0) / 1_000_000);
                return;
              }
            }
          }
          throw new IllegalStateException("record not consumed back within 30 s from " + topic);
        }
      } finally {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }
  }
}

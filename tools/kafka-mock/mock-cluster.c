/*
 * A librdkafka mock cluster (rdkafka_mock.h) driven from stdin, for tests.
 *
 * Usage: mock-cluster BROKERS
 * Prints "BOOTSTRAP host:port,..." on stdout once the cluster listens, then reads commands,
 * one per line, answering each with one line:
 *   create TOPIC PARTITIONS REPLICATION_FACTOR  ->  "created TOPIC ERRCODE"
 *   quit (or end of input)                      ->  destroys the cluster and exits
 * Exiting at end of input means the cluster dies with the process that started it.
 * The mock does not implement the CreateTopics API; the Node front (kafka-front.mjs) answers
 * CreateTopics requests through the "create" command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 3;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock's thread; it never connects anywhere. */
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  char line[1024];
  while (fgets(line, sizeof(line), stdin)) {
    char topic[512];
    int partitions = 0;
    int replication = 0;
    if (sscanf(line, "create %511s %d %d", topic, &partitions, &replication) == 3) {
      rd_kafka_resp_err_t err =
          rd_kafka_mock_topic_create(cluster, topic, partitions, replication);
      printf("created %s %d\n", topic, (int)err);
      fflush(stdout);
    } else if (strncmp(line, "quit", 4) == 0) {
      break;
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}

#!/usr/bin/env bash
# A real Spark cluster on this machine, from the pyspark package in .venv (no other download):
# one standalone master, one worker and a Spark Connect server whose jobs run on that cluster, all
# bound to 127.0.0.1 on free ports, with small memory. CI starts it around the tests; a developer
# can too:
#
#   bash scripts/spark_cluster.sh start      # prints and writes .spark-cluster/env
#   source .spark-cluster/env                # CORRIDORS_SPARK_MASTER, CORRIDORS_TEST_SPARK_CONNECT
#   .venv/bin/python -m pytest -q tests/survey/test_survey_spark.py
#   bash scripts/spark_cluster.sh stop       # stops what start started (by its process ids)
#
# Settings (environment): SPARK_CLUSTER_DIR (state, logs; default .spark-cluster),
# SPARK_WORKER_CORES (3: one each for the Connect server, the tests' session and a spark-submit
# test; a standalone master gives an application all free cores otherwise), SPARK_WORKER_MEMORY
# (3g), SPARK_CLUSTER_CONNECT (1: also start Spark Connect; 0: not), SPARK_CLUSTER_TIMEOUT
# (seconds to wait for each daemon, 180).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
STATE=${SPARK_CLUSTER_DIR:-$ROOT/.spark-cluster}
TIMEOUT=${SPARK_CLUSTER_TIMEOUT:-180}

free_port() {
  "$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

# wait_for LOGFILE PATTERN PID WHAT: until the daemon logs PATTERN; fail if it dies or times out
wait_for() {
  local log=$1 pattern=$2 pid=$3 what=$4 waited=0
  until grep -q "$pattern" "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "spark_cluster: the $what stopped while starting; its log ($log) ends with:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    if [ "$waited" -ge "$TIMEOUT" ]; then
      echo "spark_cluster: the $what did not start within ${TIMEOUT}s; see $log" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

start() {
  if [ -f "$STATE/pids" ]; then
    echo "spark_cluster: already started ($STATE/pids); run 'stop' first" >&2
    return 1
  fi
  SPARK_HOME=$("$PY" -c "import os, pyspark; print(os.path.dirname(pyspark.__file__))")
  export SPARK_HOME
  export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1
  export PYSPARK_PYTHON=${PYSPARK_PYTHON:-$PY} PYSPARK_DRIVER_PYTHON=${PYSPARK_DRIVER_PYTHON:-$PY}
  mkdir -p "$STATE/logs" "$STATE/work"
  : > "$STATE/pids"
  local began=$SECONDS
  local port ui
  port=$(free_port)
  ui=$(free_port)
  local master=spark://127.0.0.1:$port
  local daemon=${SPARK_DAEMON_MEMORY:-256m}  # heap of the master and worker daemons themselves
  SPARK_DAEMON_MEMORY=$daemon nohup "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$ui" > "$STATE/logs/master.log" 2>&1 &
  echo "$! master" >> "$STATE/pids"
  wait_for "$STATE/logs/master.log" "I have been elected leader" "$!" "standalone master" || return 1

  SPARK_DAEMON_MEMORY=$daemon nohup "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port "$(free_port)" --webui-port "$(free_port)" \
    --cores "${SPARK_WORKER_CORES:-3}" --memory "${SPARK_WORKER_MEMORY:-3g}" \
    --work-dir "$STATE/work" "$master" > "$STATE/logs/worker.log" 2>&1 &
  echo "$! worker" >> "$STATE/pids"
  wait_for "$STATE/logs/worker.log" "Successfully registered with master" "$!" "worker" || return 1

  local connect=""
  if [ "${SPARK_CLUSTER_CONNECT:-1}" = 1 ]; then
    # A Spark Connect server is itself a Spark application: its jobs run on the cluster above, on
    # one core (spark.cores.max) so that a second application (the tests' own) gets the other.
    local cport
    cport=$(free_port)
    nohup "$SPARK_HOME/bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
      --name "corridors Spark Connect" --master "$master" \
      --conf spark.connect.grpc.binding.address=127.0.0.1 \
      --conf spark.connect.grpc.binding.port="$cport" \
      --driver-memory 768m --conf spark.cores.max=1 --conf spark.executor.memory=512m \
      --conf spark.ui.enabled=false --conf spark.sql.ansi.enabled=false \
      > "$STATE/logs/connect.log" 2>&1 &
    echo "$! connect" >> "$STATE/pids"
    wait_for "$STATE/logs/connect.log" "Spark Connect server started" "$!" "Spark Connect server" || return 1
    connect=sc://127.0.0.1:$cport
  fi
  {
    echo "export CORRIDORS_SPARK_MASTER=$master"
    echo "export PYSPARK_PYTHON=$PYSPARK_PYTHON PYSPARK_DRIVER_PYTHON=$PYSPARK_DRIVER_PYTHON"
    echo "export SPARK_LOCAL_IP=127.0.0.1"
    if [ -n "$connect" ]; then echo "export CORRIDORS_TEST_SPARK_CONNECT=$connect"; fi
  } > "$STATE/env"
  echo "spark_cluster: master $master (web UI http://127.0.0.1:$ui), 1 worker" \
       "(${SPARK_WORKER_CORES:-3} cores, ${SPARK_WORKER_MEMORY:-3g})${connect:+, Spark Connect $connect}," \
       "started in $((SECONDS - began)) s; environment in $STATE/env"
}

stop() {
  [ -f "$STATE/pids" ] || return 0
  # newest first: the Connect server, then the worker (which ends its executors), then the master
  tac "$STATE/pids" | while read -r pid what; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
      echo "spark_cluster: stopped the $what (pid $pid)"
    fi
  done
  rm -f "$STATE/pids" "$STATE/env"
}

case "${1:-}" in
  start) start || { stop; exit 1; } ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

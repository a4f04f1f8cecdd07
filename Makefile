# Log Analytics — every command a newcomer needs. `make help` lists them.
PYTHON_SYSTEM ?= python3
VENV          := .venv
PY            := $(VENV)/bin/python
PIP_STAMP     := $(VENV)/.requirements-installed
CLASS_ARCHIVE := $(VENV)/spark-classes.jsa
JVM_SOURCES   := $(wildcard analytics/jvm/*.java)
JVM_JAR       := analytics/jvm/log-analytics-jvm.jar

.DEFAULT_GOAL := help
.PHONY: help install up spark-cluster connect down status logs clean-data test faults zones demo bench

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(PIP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# the line parser, a Spark UDF in Java, compiled against the installed pyspark's jars
$(JVM_JAR): $(JVM_SOURCES) $(PIP_STAMP)
	rm -rf $(VENV)/jvm-classes
	javac --release 17 -Xlint:all,-path -d $(VENV)/jvm-classes \
	  -cp "$$($(PY) -c 'import pathlib, pyspark; print(pathlib.Path(pyspark.__file__).parent / "jars")')/*" $(JVM_SOURCES)
	jar --create --file $@ -C $(VENV)/jvm-classes .

# the Spark driver's classes, archived for a faster start (see analytics/class_archive.py)
$(CLASS_ARCHIVE): $(PIP_STAMP) $(JVM_JAR)
	$(PY) -m analytics.class_archive --force

install: $(PIP_STAMP) $(JVM_JAR) $(CLASS_ARCHIVE) ## create .venv, install Python packages, build the Java line parser, archive Spark's classes, resolve the Kafka/Hadoop/connector jars (idempotent)
	@$(PY) -m stack install

up: install ## start Kafka and HDFS on 127.0.0.1 and wait until they are ready
	@$(PY) -m stack up

spark-cluster: up ## also start a standalone Spark master (spark://127.0.0.1:7077, UI :8080) and two workers
	@$(PY) -m stack spark-cluster

connect: up ## also start a Spark Connect server on sc://127.0.0.1:15002 (use it with SPARK_REMOTE=sc://127.0.0.1:15002)
	@$(PY) -m stack connect

down: ## stop everything the stack started: Kafka, HDFS, the Spark cluster, Spark Connect
	@if [ -x $(PY) ]; then $(PY) -m stack down; else echo "stack: nothing running (no .venv)"; fi

status: ## report each service of the local stack (the Spark cluster and Connect when they run)
	@$(PY) -m stack status

logs: ## show the last lines of each service's log
	@$(PY) -m stack logs

clean-data: ## wipe Kafka's and HDFS's data (the stack must be down)
	@$(PY) -m stack clean-data

test: install ## run the test suite against the real stack (started if not running), the slow fault tests aside
	$(PY) -m pytest -m "not faults" $(PYTEST_ARGS)

faults: install ## the fault suite: services killed under the stream and the producer, crashes, a full disk; prints the table, bench/results/faults.json
	LOG_ANALYTICS_FAULTS_RESULT=1 $(PY) -m pytest -m faults $(PYTEST_ARGS)

# the tests that need no stack, in two more time zones (the suite must pass in any)
zones: install ## the tests that need no stack, under TZ=America/New_York and TZ=Asia/Kolkata
	TZ=America/New_York $(PY) -m pytest -q -m "not stack" -p no:cacheprovider $(PYTEST_ARGS)
	TZ=Asia/Kolkata $(PY) -m pytest -q -m "not stack" -p no:cacheprovider $(PYTEST_ARGS)

demo: up ## stream the bundled sample log through Kafka and Spark into HDFS, print the report
	@$(PY) demo.py

# make bench SCALE=20000 FEED_SECONDS=20 is the quick check
SCALE         ?= 2000000
FEED_SECONDS  ?= 60
bench: up goaccess ## start the stack, then every stage on one log of SCALE lines (~15 min at 2M), a table, bench/results/bench-SCALE.json; then the sustained rate (~10 min)
	$(PY) bench/bench_all.py --lines $(SCALE) --feed-seconds $(FEED_SECONDS)
	$(PY) bench/bench_sustained.py

# the benchmark's peer: Debian's goaccess, installed when missing and we are root
.PHONY: goaccess
goaccess:
	@$(call debian_package,goaccess,the benchmark's peer)

# $(call debian_package,NAME,WHAT IT IS FOR): install Debian's package NAME (its command has
# the same name) when it is missing and we are root; otherwise say how
debian_package = if command -v $(1) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "$(1): installing Debian's $(1) ($(2)) ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1) >/dev/null 2>&1 || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1) >/dev/null; } || \
	  echo "$(1): could not install it with apt-get ($(2))"; \
	else echo "$(1): not found, and needed for $(2): sudo apt-get install $(1)"; fi

# the dashboard's browser tests use Debian's headless chromium: installed here when missing
# and we are root (CI on a fresh machine); otherwise say how
.PHONY: chromium dashboard
install: chromium
chromium:
	@$(call debian_package,chromium,the dashboard's browser tests)

dashboard: install ## serve the live dashboard of the output on http://127.0.0.1:8050 (OUTPUT=hdfs://... to choose; Ctrl-C stops it)
	$(PY) -m analytics dashboard $(if $(OUTPUT),--output $(OUTPUT))

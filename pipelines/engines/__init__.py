"""Engines: the local Flink and Spark clusters behind `zhpile engine` and the SDK worker
their task slots start.

Owns: fetching an engine and Beam's job server from the registries (install.py), starting
and stopping a loopback cluster and the `zhpile run` options for it (cluster.py), the
Python worker process (sdk_worker.py), the set-up Beam's worker gets in every process that
runs one, the local runner's included (beam_worker.py), the warm-up job `flink up` ends with
(warmup.py: the packaged sample run through `zhpile run` in a subprocess, so the JVMs have
loaded and compiled Beam's runner before the user's first job). May import: the standard
library, Beam, PyYAML; nothing of zhpile's job, io or report (an engine does not know what
runs on it: the warm-up starts the command line, it imports nothing of the job).
"""
from .cluster import (FLINK_RESTART_ATTEMPTS, choose_ports, down, embedded_options, flink_restarts, flink_running_jobs,
                      ports, processes, run_options, scratch_dirs, spark_running_apps, spark_work_dir,
                      start_spark_worker, start_taskmanager, stop_process, up)
from .install import ENGINES, FLINK, HOST, SPARK, Engine, EngineError, fetch

__all__ = ["ENGINES", "FLINK", "FLINK_RESTART_ATTEMPTS", "HOST", "SPARK", "Engine", "EngineError", "choose_ports", "down",
           "embedded_options", "fetch", "flink_restarts", "flink_running_jobs", "ports", "processes", "run_options",
           "scratch_dirs", "spark_running_apps", "spark_work_dir", "start_spark_worker", "start_taskmanager",
           "stop_process", "up"]

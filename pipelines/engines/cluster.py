"""Local Flink and Spark clusters for `zhpile engine`: start on loopback, stop, and the
`zhpile run` options that use them.

Python work runs in SDK worker processes that each TaskManager / Spark executor starts
itself (`--environment_type=PROCESS` with `zhpile-sdk-worker`): one per task slot, so every
core is used.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from .install import (FLINK, HOST, SPARK, Engine, EngineError, cluster_lib_dir, dist_home, engine_dir, fetch, job_server_jar,
                      tools_dir)


# ---------------------------------------------------------------------------- processes

def _state_file(engine: Engine) -> Path:
    return engine_dir(engine) / "processes.json"


def _load_state(engine: Engine) -> dict:
    try:
        return json.loads(_state_file(engine).read_text())
    except (OSError, ValueError):
        return {}


def _save_state(engine: Engine, state: dict) -> None:
    _state_file(engine).write_text(json.dumps(state, indent=1))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"java" not in f.read():  # every process `up` starts is a JVM; a reused pid is not ours
                return False
    except OSError:
        return False
    try:  # a zombie child of this process counts as gone
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def _spawn(engine: Engine, role: str, cmd: list[str], env: dict) -> int:
    logs = engine_dir(engine) / "log"
    logs.mkdir(exist_ok=True)
    with open(logs / f"{role}.out", "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                cwd=engine_dir(engine))
    state = _load_state(engine)
    state[role] = proc.pid
    _save_state(engine, state)
    return proc.pid


# ---------------------------------------------------------------------------- ports

def _ports_file(engine: Engine) -> Path:
    return engine_dir(engine) / "ports.json"


def ports(engine: Engine) -> dict[str, int]:
    """The ports of the cluster `up` started last: its UI / REST (`ui`), master RPC (`rpc`),
    job server (`job`) and artifact service (`artifact`)."""
    try:
        return json.loads(_ports_file(engine).read_text())
    except (OSError, ValueError):
        return dict(engine.ports)


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the JVMs' servers bind
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def choose_ports(engine: Engine) -> dict[str, int]:
    """The conventional ports where they are free, so that a user's bookmarks work; a port
    the system hands out otherwise (another cluster, another program, a parallel test run)."""
    chosen: dict[str, int] = {}
    for role, port in engine.ports:
        while port in chosen.values() or not _bindable(port):
            with socket.socket() as s:
                s.bind((HOST, 0))
                port = s.getsockname()[1]
        chosen[role] = port
    _ports_file(engine).write_text(json.dumps(chosen))
    return chosen


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def _wait(check, what: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise EngineError(f"{what} did not come up within {timeout:.0f}s (logs: {engine_dir_hint()})")


def engine_dir_hint() -> str:
    return str(tools_dir() / "*" / "log")


def _java_env(engine: Engine) -> dict:
    env = dict(os.environ)
    if engine is FLINK:
        env["FLINK_CONF_DIR"] = str(engine_dir(engine) / "conf")
        env["FLINK_LIB_DIR"] = str(cluster_lib_dir(engine))  # Flink's lib plus Beam's runner (install.py)
        env["FLINK_LOG_DIR"] = str(engine_dir(engine) / "log")
    else:
        env["SPARK_HOME"] = str(dist_home(engine))
        env["SPARK_LOG_DIR"] = str(engine_dir(engine) / "log")
        env["SPARK_LOCAL_IP"] = HOST
        # Executors' fetched jars (0.4 GB an application) and shuffle spills; /tmp otherwise.
        env["SPARK_LOCAL_DIRS"] = str(engine_dir(engine) / "local")
        # Each application's executors get a copy of the job server's ~380 jars (0.4 GB) in
        # the worker's directory, which Spark keeps for 7 days by default: a test session's
        # dozen jobs filled a CI disk. Finished applications' directories go within a minute
        # (each worker has its own directory: a worker deletes any application there that
        # it does not run itself).
        env["SPARK_WORKER_OPTS"] = ("-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=30 "
                                    "-Dspark.worker.cleanup.appDataTtl=30")
    return env


def spark_work_dir() -> Path:
    return engine_dir(SPARK) / "work"


def scratch_dirs(engine: Engine) -> list[Path]:
    """Where a cluster's processes write per-job files (jars fetched by executors, Flink's
    blobs, staged artifacts, spills): under the engine's own directory rather than /tmp,
    and wiped on `up` and `down`, so a session of jobs cannot fill the machine's /tmp."""
    names = ["tmp", "artifacts"] + (["work", "local"] if engine is SPARK else [])
    return [engine_dir(engine) / name for name in names]


def _wipe_scratch(engine: Engine) -> None:
    for path in scratch_dirs(engine):
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)


SORT_SHUFFLE_MIN_BUFFERS = 64
FLINK_RESTART_ATTEMPTS = 10


def _flink_conf(engine: Engine, slots: int, memory: str) -> None:
    """The shipped config.yaml (its JVM flags matter on Java 17) with loopback addresses."""
    conf = engine_dir(engine) / "conf"
    if conf.exists():
        shutil.rmtree(conf)
    shutil.copytree(dist_home(engine) / "conf", conf)
    cfg = yaml.safe_load((conf / "config.yaml").read_text())
    cfg["jobmanager"].update({"bind-host": HOST, "rpc": {"address": HOST, "port": ports(engine)["rpc"]}})
    cfg["taskmanager"].update({"bind-host": HOST, "host": HOST, "numberOfTaskSlots": slots,
                               # Beam's batch graph has dozens of shuffles, all in one slot: each
                               # needs network buffers, more than Flink's default 10% gives.
                               "memory": {"process": {"size": memory},
                                          "network": {"min": "512m", "max": "512m"},
                                          # Beam's gRPC data plane to the Python workers uses
                                          # netty direct buffers; Flink's default direct budget
                                          # (128 MB) ran out at 250 MB of crawl with
                                          # parallelism 1. Managed memory (sorting, spilled
                                          # to disk when full) gives up the room, so the
                                          # heap keeps ~1 GB (docs/engines.md).
                                          "task": {"off-heap": {"size": "256m"}},
                                          "managed": {"fraction": 0.2}}})
    # Every blocking result partition takes this many buffers from the pool above while its
    # producer runs (sort-based shuffle, Flink's default 512 = 16 MB). Beam's batch job runs
    # most of its graph at once, so the default let 31 partitions fill the 512 MB pool: an
    # 8-source job failed with "Insufficient number of network buffers: required 512". At 64
    # (2 MB a partition) the same pool holds 8 times as many (docs/engines.md).
    cfg["taskmanager"]["network"] = {"sort-shuffle": {"min-buffers": SORT_SHUFFLE_MIN_BUFFERS}}
    # An OutOfMemoryError in a thread Flink does not own (Beam's gRPC data plane, 4 GB of crawl
    # at parallelism 2) is only logged by default, and the job then hangs with idle cores:
    # FAIL ends the TaskManager, so the job restarts or fails instead (docs/engines.md).
    cfg["cluster"] = {"uncaught-exception-handling": "FAIL"}
    # TaskManagers keep each job's jars (~0.9 GB a TaskManager) as blobs for an hour after
    # the job by default, in /tmp: a test session's jobs filled a CI disk. A minute, in the
    # engine's own scratch directory.
    cfg["io"] = {"tmp": {"dirs": str(engine_dir(engine) / "tmp")}}
    cfg["blob"] = {"service": {"cleanup": {"interval": 60}}}
    cfg["rest"] = {"address": HOST, "bind-address": HOST, "port": ports(engine)["ui"]}
    cfg["parallelism"] = {"default": 1}
    # Beam's runner is on the cluster's class path (install.py, cluster_lib_dir): found there
    # first, the classes a job's jar also holds are loaded and compiled once per JVM, not
    # once per job.
    cfg["classloader"] = {"resolve-order": "parent-first"}
    # A lost TaskManager restarts the job (on the slots left and any new TaskManager)
    # instead of failing it: Flink's default without checkpoints is no restart. Attempts are
    # many because the JobManager keeps offering a killed TaskManager's slots until two
    # heartbeats fail (~20 s): each restart deployed onto them fails and uses one attempt.
    cfg["restart-strategy"] = {"type": "fixed-delay",
                               "fixed-delay": {"attempts": FLINK_RESTART_ATTEMPTS, "delay": "10 s"}}
    (conf / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def start_taskmanager(index: int) -> int:
    home = dist_home(FLINK)
    return _spawn(FLINK, f"taskmanager-{index}", [str(home / "bin" / "taskmanager.sh"), "start-foreground"],
                  _java_env(FLINK))


def _rest(url: str):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.load(r)
    except (OSError, ValueError):
        return None


def _ui(engine: Engine, path: str):
    return _rest(f"http://{HOST}:{ports(engine)['ui']}/{path}") or {}


def _flink_taskmanagers() -> int:
    return _ui(FLINK, "overview").get("taskmanagers", -1)


def flink_restarts() -> int:
    """Failures the cluster's jobs recovered from or died of (Flink's exception history)."""
    jobs = _ui(FLINK, "jobs/overview").get("jobs", [])
    return sum(len((_ui(FLINK, f"jobs/{job['jid']}/exceptions").get("exceptionHistory") or {}).get("entries", []))
               for job in jobs)


def flink_running_jobs() -> int:
    jobs = _ui(FLINK, "jobs/overview").get("jobs", [])
    return sum(1 for job in jobs if job.get("state") == "RUNNING")


def up(engine: Engine, workers: int = 2, slots: int = 1, memory: str = "3g", log=print) -> str:
    """Starts the engine (a master and `workers` workers) and the worker pool; returns the
    `zhpile run` options that use it."""
    fetch(engine, log)
    if any(_alive(pid) for pid in _load_state(engine).values()):
        raise EngineError(f"{engine.name} is already up (zhpile engine {engine.name} down stops it)")
    _save_state(engine, {})
    _wipe_scratch(engine)  # a previous cluster's jobs
    port = choose_ports(engine)
    home, env = dist_home(engine), _java_env(engine)
    if engine is FLINK:
        _flink_conf(engine, slots, memory)
        _spawn(engine, "jobmanager", [str(home / "bin" / "jobmanager.sh"), "start-foreground"], env)
        for i in range(workers):
            start_taskmanager(i)
        _wait(lambda: _flink_taskmanagers() >= workers, f"Flink with {workers} TaskManagers")
    else:
        spark_class = str(home / "bin" / "spark-class")
        _spawn(engine, "master", [spark_class, "org.apache.spark.deploy.master.Master", "--host", HOST,
                                  "--port", str(port["rpc"]), "--webui-port", str(port["ui"])], env)
        _wait(lambda: _port_open(port["rpc"]), "the Spark master")
        for i in range(workers):
            start_spark_worker(i, slots, memory)
        _wait(lambda: _spark_workers() >= workers, f"Spark with {workers} workers")
    start_job_server(engine)
    return run_options(engine, workers * slots)


def start_job_server(engine: Engine) -> int:
    """One job server for all jobs: Beam's runners would otherwise start a JVM per pipeline
    (a zhpile run is two) and stage the runner's jars with each."""
    port = ports(engine)
    master = (["--flink-master", f"{HOST}:{port['ui']}", "--flink-conf-dir", str(engine_dir(engine) / "conf")]
              if engine is FLINK else ["--spark-master-url", f"spark://{HOST}:{port['rpc']}"])
    cmd = ["java", "-jar", str(job_server_jar(engine)), *master, "--job-host", HOST, "--job-port", str(port["job"]),
           "--artifact-port", str(port["artifact"]), "--expansion-port", "0",
           "--artifacts-dir", str(engine_dir(engine) / "artifacts")]
    pid = _spawn(engine, "job-server", cmd, _java_env(engine))
    _wait(lambda: _port_open(port["job"]), f"the {engine.name} job server")
    return pid


def start_spark_worker(index: int, cores: int, memory: str) -> int:
    spark_class = str(dist_home(SPARK) / "bin" / "spark-class")
    return _spawn(SPARK, f"worker-{index}", [spark_class, "org.apache.spark.deploy.worker.Worker",
                                              f"spark://{HOST}:{ports(SPARK)['rpc']}", "--host", HOST, "--cores",
                                              str(cores), "--memory", memory, "--webui-port", "0",
                                              "--work-dir", str(spark_work_dir() / f"worker-{index}")],
                  _java_env(SPARK))


def _spark_workers() -> int:
    workers = _ui(SPARK, "json/").get("workers", [])
    return sum(1 for w in workers if w.get("state") == "ALIVE")


def spark_running_apps() -> int:
    return len(_ui(SPARK, "json/").get("activeapps", []))


def sdk_worker_command() -> str:
    """The console script installed beside this Python (see pyproject.toml)."""
    return os.path.join(os.path.dirname(sys.executable), "zhpile-sdk-worker")


# Beam releases a stage's SDK workers when the stage ends, so every stage of a job started
# fresh Python workers (imports, models): on Spark, which runs a job stage by stage, that was
# half of a sample run (98.7 s -> 52.3 s with the cache, docs/engines.md). Kept this long after
# their last bundle, the next stage reuses them.
ENVIRONMENT_CACHE_MILLIS = 30000


def _environment() -> str:
    return (f"--environment_type=PROCESS --environment_option=process_command={sdk_worker_command()} "
            f"--environment_cache_millis={ENVIRONMENT_CACHE_MILLIS}")


def run_options(engine: Engine, parallelism: int) -> str:
    """Options for the cluster `up` started, through its job server."""
    env = _environment()
    # Spark's job server ships every jar of its class path to each application's executors
    # (0.4 GB an application); its workers here share this machine's disk, so the executors
    # take the runner's classes through the manifest jar's Class-Path instead (the sample on
    # Spark 49.6 s -> 33.8 s, output identical; docs/engines.md). Flink's job server ignores
    # this option: its jar is merged instead (install.py).
    cluster = f"--parallelism {parallelism}" if engine is FLINK else f"--files_to_stage={job_server_jar(engine)}"
    return f"--runner {engine.runner} --job_endpoint={HOST}:{ports(engine)['job']} {cluster} {env}".replace("  ", " ")


def embedded_options(engine: Engine, parallelism: int) -> str:
    """No cluster: Beam's runner starts the job server for each pipeline, and it runs
    Flink inside its JVM (Spark in local mode)."""
    env = _environment()
    master = "--flink_master=[local]" if engine is FLINK else f"--spark_master_url=local[{parallelism}]"
    return (f"--runner {engine.runner} {master} --parallelism {parallelism} "
            f"--{engine.name}_job_server_jar={job_server_jar(engine)} {env}")


def processes(engine: Engine) -> dict[str, int]:
    return {role: pid for role, pid in _load_state(engine).items() if _alive(pid)}


def stop_process(engine: Engine, role: str, sig: int = signal.SIGTERM) -> None:
    pid = _load_state(engine).get(role)
    if pid and _alive(pid):
        os.killpg(pid, sig)  # its session: the JVM and anything it started


def down(engine: Engine) -> list[str]:
    state = _load_state(engine)
    stopped = []
    for role, pid in state.items():
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)
            stopped.append(role)
    deadline = time.time() + 20
    for pid in state.values():
        while _alive(pid) and time.time() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
    _save_state(engine, {})
    for path in scratch_dirs(engine):
        shutil.rmtree(path, ignore_errors=True)
    return stopped

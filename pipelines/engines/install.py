"""Fetching an engine for `zhpile engine`: everything comes from the package registries,
cached in one tools directory ($ZHPILE_ENGINES, default ~/.cache/zhpile/engines):
- the engine itself from PyPI (`apache-flink` + `apache-flink-libraries` hold a full Flink
  with its bin/ scripts, `pyspark` holds Spark's jars and bin/spark-class), installed with
  --no-deps into a folder of its own because their Python parts pin old Beams;
- Beam's job server from Maven Central. Its shaded jar is not served for any release the
  Python SDK supports, so Maven resolves the runner artifact's classpath (which holds
  the job server's main class), and a jar is made of it that Beam's FlinkRunner /
  SparkRunner start with `java -jar` like the shaded one. For Flink, that jar holds the
  whole classpath merged (as the shade plugin would): the job server stages its classpath
  to the cluster with every job, and Flink uploads each jar to its blob server in a few
  round trips of ~40 ms, so 160 jars cost ~10 s a pipeline and one jar ~0.2 s. For Spark it
  lists the jars in its manifest (Spark's own jars come from pyspark and stay separate).
  The Flink jar carries one class recompiled from Beam's published source with a patch
  (FLINK_BUNDLES below): memory that grew with the input otherwise.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import apache_beam

BEAM_VERSION = apache_beam.version.__version__
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Engine:
    name: str
    runner: str  # Beam's Python runner class name
    pip: tuple[str, ...]
    runner_artifact: str  # group:artifact of the Beam runner holding the job server
    job_server_main: str
    # The conventional ports, taken when free; `up` picks free ones otherwise (cluster.py).
    ports: tuple[tuple[str, int], ...]


FLINK = Engine("flink", "FlinkRunner", ("apache-flink==1.19.3", "apache-flink-libraries==1.19.3"),
               "org.apache.beam:beam-runners-flink-1.19", "org.apache.beam.runners.flink.FlinkJobServerDriver",
               (("ui", 8081), ("rpc", 6123), ("job", 8099), ("artifact", 8100)))
SPARK = Engine("spark", "SparkRunner", ("pyspark==3.5.7",),
               "org.apache.beam:beam-runners-spark-3", "org.apache.beam.runners.spark.SparkJobServerDriver",
               (("ui", 8080), ("rpc", 7077), ("job", 8097), ("artifact", 8098)))
ENGINES = {e.name: e for e in (FLINK, SPARK)}


# Spark 3.5's JavaModuleOptions, as packages of java.base.
JAVA17_OPENS = ("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
                "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs",
                "sun.security.action", "sun.util.calendar")


class EngineError(RuntimeError):
    pass


def tools_dir() -> Path:
    return Path(os.environ.get("ZHPILE_ENGINES", Path.home() / ".cache" / "zhpile" / "engines"))


def engine_dir(engine: Engine) -> Path:
    return tools_dir() / f"{engine.name}-beam{BEAM_VERSION}"


def dist_home(engine: Engine) -> Path:
    """FLINK_HOME / SPARK_HOME inside the pip --target folder."""
    return engine_dir(engine) / "dist" / ("pyflink" if engine is FLINK else "pyspark")


def job_server_jar(engine: Engine) -> Path:
    # what the jar is (above): a cache of an older kind is rebuilt
    kind = "all-bundled" if engine is FLINK else "manifest"
    return engine_dir(engine) / f"beam-{engine.name}-job-server-{BEAM_VERSION}-{kind}.jar"



def fetch(engine: Engine, log=print) -> None:
    """Installs what is missing; a second call does nothing."""
    for tool in ("java", "javac", "mvn"):
        if not shutil.which(tool):
            raise EngineError(f"`{tool}` is not on PATH: the engines need a Java 17 JDK and Maven")
    root = engine_dir(engine)
    root.mkdir(parents=True, exist_ok=True)
    if not (dist_home(engine) / "bin").is_dir():
        log(f"zhpile engine: installing {' '.join(engine.pip)} into {root / 'dist'}")
        tmp = root / "dist.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        run_checked([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(tmp), *engine.pip],
               "pip could not install the engine")
        tmp.rename(root / "dist")
    if not job_server_jar(engine).exists():
        log(f"zhpile engine: resolving {engine.runner_artifact}:{BEAM_VERSION} through Maven")
        classpath = _maven_classpath(engine, root)
        if engine is SPARK:  # Spark is a 'provided' dependency of the runner: take pyspark's jars
            classpath += sorted(str(p) for p in (dist_home(engine) / "jars").glob("*.jar"))
            _write_manifest_jar(job_server_jar(engine), engine.job_server_main, classpath)
        else:
            patched = _patch_flink_bundles(root, classpath)
            log(f"zhpile engine: merging {len(classpath)} jars into {job_server_jar(engine).name}")
            _write_merged_jar(job_server_jar(engine), engine.job_server_main, [patched, *classpath])
    if engine is FLINK:
        lib_jar = cluster_lib_dir(engine) / CLUSTER_RUNNER_JAR
        # Rebuilt with the job-server jar: parent-first, a stale copy's classes would win.
        if not lib_jar.exists() or lib_jar.stat().st_mtime < job_server_jar(engine).stat().st_mtime:
            _write_cluster_lib(engine)


# Beam's Flink batch translation runs an executable stage (a fused chain of Python
# transforms) over a whole partition as ONE bundle, and the runner takes a bundle's outputs
# from the SDK worker only when the bundle closes (SdkHarnessClient.ActiveBundle.close ->
# BeamFnDataInboundObserver.awaitCompletion). Until then up to 100 messages of up to 10 MB wait
# in the TaskManager's heap and the rest in the Python worker's send queue: memory that grows
# with the input (4 GB of crawl: TaskManager OutOfMemoryError; docs/engines.md). The patch
# bounds a bundle by --max_bundle_size elements, the option Beam's streaming Flink already
# honours (its batch default, 1,000,000, keeps the old behaviour for other jobs).
FLINK_STAGE_FUNCTION = "org/apache/beam/runners/flink/translation/functions/FlinkExecutableStageFunction"
FLINK_ONE_BUNDLE = """\
    try (RemoteBundle bundle =
        stageBundleFactory.getBundle(
            receiverFactory,
            stateRequestHandler,
            progressHandler,
            finalizationHandler,
            bundleCheckpointHandler)) {
      processElements(iterable, bundle);
    }
"""
# The same block inside a loop over the partition's elements, each pass a bundle of at most
# --max_bundle_size of them.
FLINK_BUNDLES = (
    "    // zhpile: the partition in bundles of at most --max_bundle_size elements (see install.py).\n"
    "    long maxBundleSize = pipelineOptions.get().as(FlinkPipelineOptions.class).getMaxBundleSize();\n"
    "    java.util.Iterator<WindowedValue<InputT>> inputs = iterable.iterator();\n"
    "    do {\n"
    + textwrap.indent(FLINK_ONE_BUNDLE.replace("      processElements(iterable, bundle);\n", """\
      FnDataReceiver<WindowedValue<?>> mainReceiver =
          Iterables.getOnlyElement(bundle.getInputReceivers().values());
      for (long n = 0; n < maxBundleSize && inputs.hasNext(); n++) {
        mainReceiver.accept(inputs.next());
      }
"""), "  ")
    + "    } while (inputs.hasNext());\n")


def _patch_flink_bundles(root: Path, classpath: list[str]) -> str:
    """A jar of FlinkExecutableStageFunction compiled from the runner's source jar with
    FLINK_BUNDLES in place of FLINK_ONE_BUNDLE; placed first, its classes win in the merge."""
    group, artifact = FLINK.runner_artifact.split(":")
    build = root / "bundles-patch"
    shutil.rmtree(build, ignore_errors=True)
    (build / "classes").mkdir(parents=True)
    run_checked(["mvn", "-B", "-q", "dependency:copy", f"-Dartifact={group}:{artifact}:{BEAM_VERSION}:jar:sources",
                 f"-DoutputDirectory={build}"], f"Maven could not fetch the source of {artifact}:{BEAM_VERSION}")
    with zipfile.ZipFile(build / f"{artifact}-{BEAM_VERSION}-sources.jar") as sources:
        source = sources.read(f"{FLINK_STAGE_FUNCTION}.java").decode()
    if source.count(FLINK_ONE_BUNDLE) != 1:
        raise EngineError(f"{FLINK_STAGE_FUNCTION}.java of Beam {BEAM_VERSION} is not the one "
                          "the bundle patch was made for")
    java = build / "FlinkExecutableStageFunction.java"
    java.write_text(source.replace(FLINK_ONE_BUNDLE, FLINK_BUNDLES))
    run_checked(["javac", "-nowarn", "-proc:none", "-encoding", "UTF-8", "-cp", os.pathsep.join(classpath),
                 "-d", str(build / "classes"), str(java)], "javac could not compile the bundle patch")
    jar = build / "bundles-patch.jar"
    with zipfile.ZipFile(jar, "w") as out:
        for path in sorted((build / "classes").rglob("*.class")):
            out.write(path, path.relative_to(build / "classes").as_posix())
    return str(jar)


def _maven_classpath(engine: Engine, root: Path) -> list[str]:
    group, artifact = engine.runner_artifact.split(":")
    pom = root / "pom.xml"
    pom.write_text(f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>zhpile.engines</groupId><artifactId>{engine.name}-job-server</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{BEAM_VERSION}</version></dependency>
  </dependencies>
</project>
""")
    out = root / "classpath.txt"
    run_checked(["mvn", "-B", "-q", "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={out}"],
           f"Maven could not resolve {engine.runner_artifact}:{BEAM_VERSION}")
    return out.read_text().strip().split(os.pathsep)


def _manifest(main_class: str, classpath: list[str] | None = None) -> str:
    """META-INF/MANIFEST.MF naming main_class (and the jars it runs on, if given)."""
    attributes = {"Manifest-Version": "1.0", "Main-Class": main_class,
                  **({"Class-Path": " ".join(Path(p).resolve().as_uri() for p in classpath)} if classpath else {}),
                  # On Java 17 the job server JVM (Spark's driver) needs what Spark's own
                  # launcher passes as --add-opens; in a jar's manifest they need no flags.
                  "Add-Opens": " ".join(f"java.base/{p}" for p in JAVA17_OPENS)}
    lines = []
    for key, value in attributes.items():
        # Manifest lines are at most 72 bytes; a continuation line starts with one space.
        line = f"{key}: {value}"
        while line:
            lines.append(line[:70])
            line = " " + line[70:] if len(line) > 70 else ""
    return "\r\n".join(lines) + "\r\n"


def _write_manifest_jar(path: Path, main_class: str, classpath: list[str]) -> None:
    """A jar with only a manifest: `java -jar` runs main_class on the listed jars."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", _manifest(main_class, classpath))
    tmp.rename(path)


# Resources every jar may carry, which a class path reads from all of them: concatenated.
# (ServiceLoader reads every META-INF/services file; Typesafe config merges reference.conf.)
_MERGED_PREFIXES = ("META-INF/services/",)
_MERGED_NAMES = ("reference.conf",)
_SIGNATURES = (".SF", ".RSA", ".DSA", ".EC")


def _write_merged_jar(path: Path, main_class: str, classpath: list[str]) -> None:
    """One jar holding every class and resource of `classpath`, the first jar's copy where
    several have one (as the class path resolves them), service files and reference.conf
    concatenated, signatures dropped (they no longer match), and a manifest naming
    main_class."""
    seen: set[str] = set()
    merged: dict[str, list[bytes]] = {}
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as out:
        for jar in classpath:
            with zipfile.ZipFile(jar) as src:
                for info in src.infolist():
                    name = info.filename
                    upper = name.upper()
                    if info.is_dir() or upper in ("META-INF/MANIFEST.MF", "META-INF/INDEX.LIST") or (
                            upper.startswith("META-INF/") and upper.endswith(_SIGNATURES)):
                        continue
                    if name.startswith(_MERGED_PREFIXES) or name in _MERGED_NAMES:
                        merged.setdefault(name, []).append(src.read(name).rstrip(b"\n"))
                    elif name not in seen:
                        seen.add(name)
                        out.writestr(info, src.read(name), compress_type=info.compress_type)
        for name, parts in merged.items():
            out.writestr(name, b"\n".join(parts) + b"\n")
        out.writestr("META-INF/MANIFEST.MF", _manifest(main_class))
    tmp.rename(path)


# A TaskManager loads the classes of a job's jar with a class loader of that job, so every
# job (a zhpile run is two) loaded Beam's runner again and the JVM compiled it again: the
# TaskManagers' compiler threads took 9 of their 22 CPU-seconds on a 250 MB crawl
# (docs/engines.md). The cluster's own class path therefore holds the runner (Flink's lib
# plus the job server's classes, less Flink's own and SLF4J, which Flink's lib provides),
# and `up` resolves classes parent-first: loaded and compiled once per TaskManager.
_CLUSTER_LIB_EXCLUDED = ("org/apache/flink/", "org/slf4j/", "META-INF/services/org.apache.flink.")
CLUSTER_RUNNER_JAR = f"beam-runner-{BEAM_VERSION}.jar"


def cluster_lib_dir(engine: Engine) -> Path:
    """The FLINK_LIB_DIR `up` starts Flink with."""
    return engine_dir(engine) / "lib"


def _write_cluster_lib(engine: Engine) -> None:
    lib = cluster_lib_dir(engine)
    tmp = lib.with_name("lib.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for jar in sorted((dist_home(engine) / "lib").glob("*.jar")):
        (tmp / jar.name).symlink_to(jar)
    # Before flink-dist on the class path (Flink lists lib's jars sorted, flink-dist last).
    with zipfile.ZipFile(job_server_jar(engine)) as src, \
            zipfile.ZipFile(tmp / CLUSTER_RUNNER_JAR, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            if not info.filename.startswith(_CLUSTER_LIB_EXCLUDED):
                out.writestr(info, src.read(info.filename), compress_type=info.compress_type)
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)


def run_checked(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise EngineError(f"{what} ({' '.join(cmd[:4])} ... exited {done.returncode}):\n{tail}")

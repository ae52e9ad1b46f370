"""Beam's Python worker, set up once per process (`tune_sdk_worker`): the local runner's
worker in this process, and the engines' workers (sdk_worker.py). Two of its costs
come per bundle processor or per bundle, not per element. The local runner builds a new
bundle processor for each of the ~70 stages of a run (each runs as one bundle), and:

- each one re-inspects every method of every DoFn for state and timer parameters:
  `userstate.get_dofn_specs`, ~20 calls a stage, ~30 `inspect.signature` each, 0.8 s of an
  11 s run (the 5%-Chinese crawl of 20,000 pages). The answer depends on the DoFn's class
  (and on methods bound to the instance, which are part of the key), so it is kept per class;
- each bundle ends by joining its state sampler's thread, which sleeps between samples for
  a period that grows from 2 to 200 ms: a bundle of T seconds waits ~T/10 more for nothing
  (100 ms beyond 2 s; 0.4-0.9 s of a local run). On an engine every bundle (at most 1,000
  documents) starts and joins its own sampler. Samples every 20 ms at most cost the
  sampler nothing measurable and make the per-transform times finer.

A third cost is Python's cyclic garbage collector: a run holds ~220,000 long-lived objects
(Beam, the pipeline, models, pydantic), and every full collection walked them all (0.55 s
of the 11 s run, 1.3 s of a 52 s one). The young generation's threshold is raised (700 ->
5,000 allocations), and what exists when a pipeline starts is frozen (`gc.freeze`: never
collected, never walked again): 0.26 and 0.36 s.

None of the three changes what a pipeline computes.
"""
from __future__ import annotations

import functools
import gc
import types

SAMPLING_PERIOD_MAX_MS = 20
GC_YOUNG_ALLOCATIONS = 5000  # Python's default: 700

# The local runner's defaults, before the user's own flags. Neither changes an output:
# - Beam infers each transform's output type from its bytecode while the pipeline is
#   built (~0.2 s of the ~0.9 s it takes); untyped elements go through Beam's general
#   coder (FastPrimitivesCoder), as most of zhpile's did.
# - cloudpickle instead of dill for the transforms: ~1,100 are pickled a run and each
#   stage's are unpickled again; dill's trace resets every logger's cache each time.
# Engines keep Beam's defaults: their job graphs and workers stay as the engine tests run them.
LOCAL_DEFAULT_ARGS = ("--no_pipeline_type_check", "--pickle_library=cloudpickle")


def cached_dofn_specs(get_dofn_specs):
    """Beam's userstate.get_dofn_specs, its answers kept per DoFn class."""
    cache: dict = {}

    @functools.wraps(get_dofn_specs)
    def specs(dofn):
        try:
            own = tuple(sorted((name, value.__func__) for name, value in vars(dofn).items()
                               if isinstance(value, types.MethodType)))
            key = (type(dofn), own)
            hash(key)
        except TypeError:  # no __dict__ (slots), or an unhashable method: not cached
            return get_dofn_specs(dofn)
        if key not in cache:
            cache[key] = get_dofn_specs(dofn)
        states, timers = cache[key]
        return set(states), set(timers)  # callers get their own sets, as from Beam's

    specs.cached = True
    return specs


@functools.cache
def tune_sdk_worker() -> None:
    from apache_beam.runners.worker import statesampler
    from apache_beam.transforms import userstate

    userstate.get_dofn_specs = cached_dofn_specs(userstate.get_dofn_specs)  # once: tune_sdk_worker is cached
    # The default of StateSampler(prefix, counter_factory, sampling_period_ms=200), which
    # the bundle processor leaves at its default.
    statesampler.StateSampler.__init__.__defaults__ = (SAMPLING_PERIOD_MAX_MS,)
    gc.set_threshold(GC_YOUNG_ALLOCATIONS, *gc.get_threshold()[1:])


def freeze_long_lived() -> None:
    """Everything alive now (modules, the built pipeline, loaded models) is left out of
    the collector's work from here on: a pipeline holds it to its end anyway."""
    gc.freeze()


def local_runner():
    """A FnApiRunner (recent Beams' DirectRunner first tries to download Prism)."""
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    tune_sdk_worker()
    return FnApiRunner()

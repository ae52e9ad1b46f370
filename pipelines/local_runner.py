"""The local runner: Beam's FnApiRunner in this process, without two costs that grow with
the number of the pipeline's stages, not with its data. The runner builds a new bundle
processor for each of the ~70 stages of a run (each runs as one bundle), and:

- each one re-inspects every method of every DoFn for state and timer parameters:
  `userstate.get_dofn_specs`, ~20 calls a stage, ~30 `inspect.signature` each, 0.8 s of an
  11 s run (the 5%-Chinese crawl of 20,000 pages). The answer depends on the DoFn's class
  (and on methods bound to the instance, which are part of the key), so it is kept per class;
- each one ends by joining its state sampler's thread, which sleeps between samples for
  a period that grows to 200 ms: a long stage's end waits ~100 ms for nothing (0.4-0.9 s a
  run). Samples every 20 ms at most cost the sampler nothing measurable and make the
  per-transform times (benchmarks/stages.py) finer.

Both only change how Beam's in-process worker is set up: what the pipeline computes, and
any engine's workers, are untouched.
"""
from __future__ import annotations

import functools
import types

SAMPLING_PERIOD_MAX_MS = 20


def _cached_dofn_specs(get_dofn_specs):
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
def _set_up_once() -> None:
    from apache_beam.runners.worker import statesampler
    from apache_beam.transforms import userstate

    if not getattr(userstate.get_dofn_specs, "cached", False):
        userstate.get_dofn_specs = _cached_dofn_specs(userstate.get_dofn_specs)
    # The default of StateSampler(prefix, counter_factory, sampling_period_ms=200), which
    # the bundle processor leaves at its default.
    statesampler.StateSampler.__init__.__defaults__ = (SAMPLING_PERIOD_MAX_MS,)


def local_runner():
    """A FnApiRunner (recent Beams' DirectRunner first tries to download Prism)."""
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    _set_up_once()
    return FnApiRunner()

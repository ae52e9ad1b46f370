"""The Beam worker's set-up (pipelines/engines/beam_worker.py): Beam's answers kept per DoFn class
must be Beam's answers for every instance; the tuned local runner runs a stateful DoFn."""
import gc

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.runners.worker import statesampler
from apache_beam.transforms import userstate
from apache_beam.transforms.userstate import BagStateSpec, TimerSpec, on_timer

from zhpile.pipelines.engines.beam_worker import GC_YOUNG_ALLOCATIONS, SAMPLING_PERIOD_MAX_MS, cached_dofn_specs, local_runner
from zhpile.pipelines.job.stages import ContentQuality, ExtractText
from zhpile.schemas.config import ExtractConfig, QualityConfig

BAG = BagStateSpec("bag", VarIntCoder())
TIMER = TimerSpec("timer", userstate.TimeDomain.WATERMARK)


class Stateful(beam.DoFn):
    def process(self, element, bag=beam.DoFn.StateParam(BAG), timer=beam.DoFn.TimerParam(TIMER)):
        yield element

    @on_timer(TIMER)
    def expired(self):
        pass


class Plain(beam.DoFn):
    def process(self, element):
        yield element


class Holder:
    def with_state(self, element, bag=beam.DoFn.StateParam(BagStateSpec("held", VarIntCoder()))):
        return element


def _original():
    specs = userstate.get_dofn_specs
    return specs.__wrapped__ if getattr(specs, "cached", False) else specs


def test_cached_dofn_specs_are_beams_for_every_instance():
    original = _original()
    cached = cached_dofn_specs(original)
    plain_with_method = Plain()
    plain_with_method.extra = Holder().with_state  # a method bound to the instance is inspected too
    dofns = [Stateful(), Stateful(), Plain(), plain_with_method, Plain(),
             ContentQuality(QualityConfig()), ExtractText(ExtractConfig(), frozenset())]
    for dofn in dofns:
        assert cached(dofn) == original(dofn), dofn
    assert cached(plain_with_method)[0] and not cached(Plain())[0]
    assert {s.name for s in cached(Stateful())[0]} == {"bag"}


def test_local_runner_samples_promptly_and_runs(tmp_path):
    runner = local_runner()
    assert userstate.get_dofn_specs.cached
    assert statesampler.StateSampler("s", None).sampling_period_ms == SAMPLING_PERIOD_MAX_MS
    assert gc.get_threshold()[0] == GC_YOUNG_ALLOCATIONS
    with beam.Pipeline(runner=runner) as p:
        (p | beam.Create([("a", 1), ("a", 2), ("b", 3)]) | beam.ParDo(Stateful())
         | beam.Map(lambda kv: f"{kv[0]}{kv[1]}") | beam.io.WriteToText(str(tmp_path / "out"), shard_name_template=""))
    assert sorted((tmp_path / "out").read_text().split()) == ["a1", "a2", "b3"]
